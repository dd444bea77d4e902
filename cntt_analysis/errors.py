"""Errors that stop a command; their messages are shown to users, in Vietnamese."""


class UsageError(Exception):
    """Wrong usage or configuration (no such round, broken rubric, missing registry)."""


class ReportError(Exception):
    """A notebook of the report failed; the message names it and its failing cell."""
