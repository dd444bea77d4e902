"""The rubric: the scoring form as data (model, loading, validation) and the link between
one year's form and the last (crosswalk)."""

from cntt_analysis.rubric.model import (
    RUBRIC_DIR,
    Criterion,
    Indicator,
    Input,
    Rubric,
    RubricError,
    load_rubric,
    parse_rubric,
    shipped_rubrics,
)

__all__ = ["RUBRIC_DIR", "Criterion", "Indicator", "Input", "Rubric", "RubricError",
           "load_rubric", "parse_rubric", "shipped_rubrics"]
