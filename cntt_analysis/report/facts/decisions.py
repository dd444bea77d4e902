"""The rules that decide what the outputs say about units, each applied once (year_facts):
whether a round is partial, which submissions are mostly blank, which units are proposed as
models, and how last year's follow-up reads for each unit. Units directed to remedy follow
the rubric's remedy policy (analysis.units_to_remedy).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from cntt_analysis.report.facts.policy import Policy
from cntt_analysis.scoring.shortcomings import NO_DATA, NOT_ASSESSED, NOT_SUBMITTED, OUTCOMES

# Per unit, how last year's follow-up reads (follow_up_units.state).
ABSENT, NO_FIGURES, IGNORED = "absent", "no_data", "ignored"


def is_partial(reported: int, registered: int, policy: Policy) -> bool:
    """A round is partial while at most the policy's share of registered units reported."""
    return registered > 0 and reported <= policy.partial_round_share * registered + 1e-9


def incomplete_units(scores: pd.DataFrame, policy: Policy) -> pd.Series:
    """Mostly blank submissions: more than the policy's share of required answers missing."""
    return scores["missing_share"] > policy.mostly_blank_share + 1e-9


def model_units(scores: pd.DataFrame, policy: Policy) -> pd.Series:
    """Units proposed as models (điển hình tiên tiến): a tier of the rule, at most its
    shortcomings and claims without evidence, and neither directed to remedy nor
    incomplete. `scores` carries tier, shortcomings, claims_without_evidence, directed and
    incomplete (year_facts)."""
    return (scores["tier"].isin(policy.model_tiers)
            & (scores["shortcomings"] <= policy.max_shortcomings)
            & (scores["claims_without_evidence"] <= policy.max_claims_without_evidence)
            & ~scores["directed"] & ~scores["incomplete"])


def follow_up_states(summary: pd.DataFrame, incomplete: Collection[str]) -> list[str]:
    """Per unit of follow_up_summary: "absent" (did not report this year), "no_data" (its
    answers are missing: a mostly blank submission, or every item it could be judged on
    has no figures), "ignored" (remedied or improved none of those it gave figures for),
    else ""."""
    states = []
    for row in summary.to_dict("records"):
        judged = sum(int(row.get(o, 0)) for o in OUTCOMES
                     if o not in (NO_DATA, NOT_ASSESSED))
        if judged and int(row.get(NOT_SUBMITTED, 0)) == judged:
            states.append(ABSENT)
        elif row["unit_id"] in incomplete or (int(row.get(NO_DATA, 0)) and not judged):
            states.append(NO_FIGURES)
        elif row["ignored"]:
            states.append(IGNORED)
        else:
            states.append("")
    return states
