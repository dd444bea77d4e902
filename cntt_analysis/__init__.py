"""cntt_analysis: the yearly assessment of IT use by a Department's units.

raw workbooks → answers → points → scores → analyses → notebooks → exports.
"""

__version__ = "0.1.0"  # before the imports: pipeline records it in its manifests

from cntt_analysis.intake import read_submission
from cntt_analysis.pipeline import load_processed, score_round, write_round
from cntt_analysis.registry import load_registry
from cntt_analysis.rounds import load_round
from cntt_analysis.rubric import load_rubric
from cntt_analysis.scoring import compute_points, compute_scores
from cntt_analysis.templates import build_template, write_templates

__all__ = ["build_template", "compute_points", "compute_scores", "load_processed",
           "load_registry", "load_round", "load_rubric", "read_submission", "score_round",
           "write_round", "write_templates"]
