"""Analysis: read-only results and the tables built from them (changes since last year,
criteria, units, trends, robustness). ``from cntt_analysis import analysis`` gives them all."""

from cntt_analysis.analysis.tables import *  # noqa: F401,F403
