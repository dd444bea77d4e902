"""The year's facts: what every output states (who reported, corrections, scores, ranks,
changes, shortcomings, missing answers, who is commended or directed), computed once. HTML,
Word, Excel and the command line only render them.

    facts = load_facts("data/raw", "data/processed", 2017)
    facts.models[["name", "score"]]          # the units proposed as models
    write_facts(facts, "out/facts-2017")      # Parquet per frame + facts.json
    facts = cached_facts("data/raw", "data/processed", 2017)  # computed once, then read
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cntt_analysis.report.facts.cache import cached_facts, facts_folder
    from cntt_analysis.report.facts.organisation import Organisation, organisation_of
    from cntt_analysis.report.facts.policy import (
        DEPARTMENT_FILE,
        Policy,
        load_particulars,
        policy_of,
    )
    from cntt_analysis.report.facts.year import (
        FRAMES,
        INSPECTION,
        SUPPLIER,
        UNIT,
        YearFacts,
        load_facts,
        read_facts,
        write_facts,
        year_facts,
    )

# Each name's module, imported when the name is first used: the department's particulars
# and names (policy, organisation) are read without pandas, which the facts themselves
# need (`cntt report` tells an unchanged build from the particulars alone).
_MODULES = {
    "cached_facts": "cache", "facts_folder": "cache",
    "Organisation": "organisation", "organisation_of": "organisation",
    "DEPARTMENT_FILE": "policy", "Policy": "policy", "load_particulars": "policy",
    "policy_of": "policy",
    **dict.fromkeys(("FRAMES", "INSPECTION", "SUPPLIER", "UNIT", "YearFacts", "load_facts",
                     "read_facts", "write_facts", "year_facts"), "year"),
}

__all__ = ["DEPARTMENT_FILE", "FRAMES", "INSPECTION", "SUPPLIER", "UNIT", "Organisation",
           "Policy", "YearFacts", "cached_facts", "facts_folder", "load_facts",
           "load_particulars", "organisation_of", "policy_of", "read_facts", "write_facts",
           "year_facts"]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = value
    return value
