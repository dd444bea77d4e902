"""cntt_analysis: the yearly assessment of IT use by a Department's units.

Data flow in layers, each importing only those below it:

    rubric → intake → scoring → analysis → report   (+ cli, demo on top)

raw workbooks → answers → points → scores → analyses → notebooks → exports.
"""

from cntt_analysis._version import __version__
from cntt_analysis.intake.registry import load_registry
from cntt_analysis.intake.rounds import load_round
from cntt_analysis.intake.templates import build_template, write_templates
from cntt_analysis.intake.workbook import read_submission
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.pipeline import load_processed, score_round, write_round
from cntt_analysis.scoring.points import compute_points, compute_scores

__all__ = ["__version__", "build_template", "compute_points", "compute_scores",
           "load_processed", "load_registry", "load_round", "load_rubric", "read_submission",
           "score_round", "write_round", "write_templates"]
