"""cntt_analysis: the yearly assessment of IT use by a Department's units.

Data flow in layers, each importing only those below it:

    rubric → intake → scoring → analysis → report   (+ cli, demo on top)

raw workbooks → answers → points → scores → analyses → notebooks → exports.
"""

from importlib import import_module
from typing import Any

from cntt_analysis._version import __version__

# Imported on first use (PEP 562), so `cntt score` on an unchanged round or any command's
# start does not pay for pandas, openpyxl and matplotlib it does not need.
_PUBLIC = {
    "load_registry": "cntt_analysis.intake.registry",
    "load_round": "cntt_analysis.intake.rounds",
    "build_template": "cntt_analysis.intake.templates",
    "write_templates": "cntt_analysis.intake.templates",
    "read_submission": "cntt_analysis.intake.workbook",
    "load_rubric": "cntt_analysis.rubric.model",
    "load_processed": "cntt_analysis.scoring.pipeline",
    "score_round": "cntt_analysis.scoring.pipeline",
    "write_round": "cntt_analysis.scoring.pipeline",
    "compute_points": "cntt_analysis.scoring.points",
    "compute_scores": "cntt_analysis.scoring.points",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'cntt_analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


__all__ = ["__version__", "build_template", "compute_points", "compute_scores",
           "load_processed", "load_registry", "load_round", "load_rubric", "read_submission",
           "score_round", "write_round", "write_templates"]
