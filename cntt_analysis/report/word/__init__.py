"""Word renderers: the official documents (`documents`) in the layout of Decree
30/2020/NĐ-CP (`docx_format`). They render the year's facts; they decide nothing."""
