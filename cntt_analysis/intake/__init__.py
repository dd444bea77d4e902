"""Intake: rounds and the registry of units, templates sent to units, reading and validating
the workbooks they send back (values, workbook reading) and the register of who sent what."""
