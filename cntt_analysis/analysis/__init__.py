"""Analysis: read-only results and the tables built from them — changes since last year,
criteria, units, trends and rank robustness. ``from cntt_analysis import analysis`` gives
the functions an analyst calls; each takes the tidy tables and returns a DataFrame."""

from cntt_analysis.analysis.changes import rank_movement, score_changes, tier_changes
from cntt_analysis.analysis.common import (
    LATE,
    MISSING,
    NOT_SCORED,
    SENT,
    criterion_columns,
    default_tiers,
    group_order,
)
from cntt_analysis.analysis.criteria import (
    criterion_averages,
    group_averages,
    weakest_indicators,
)
from cntt_analysis.analysis.lineage import baselines
from cntt_analysis.analysis.results import Results, load_results
from cntt_analysis.analysis.trends import comparable_indicator_percent
from cntt_analysis.analysis.units import (
    group_leaders,
    remedies_by_indicator,
    unit_profile_table,
    unit_weaknesses,
    units_to_remedy,
    unscored_units,
    weaknesses,
)
from cntt_analysis.labels import vn_number, vn_percent
from cntt_analysis.rounding import half_up_float as round_half_up
from cntt_analysis.scoring.points import points_lost

__all__ = ["LATE", "MISSING", "NOT_SCORED", "SENT",
           "Results", "baselines", "comparable_indicator_percent", "criterion_averages",
           "criterion_columns",
           "default_tiers",
           "group_averages", "group_leaders", "group_order", "load_results", "points_lost",
           "rank_movement", "remedies_by_indicator",
           "round_half_up", "score_changes", "tier_changes", "unit_profile_table",
           "unit_weaknesses", "units_to_remedy", "unscored_units", "weaknesses", "vn_number",
           "vn_percent",
           "weakest_indicators"]
