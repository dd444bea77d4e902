"""The year's facts: what every output states (who reported, corrections, scores, ranks,
changes, shortcomings, missing answers, who is commended or directed), computed once. HTML,
Word, Excel and the command line only render them.

    facts = load_facts("data/raw", "data/processed", 2017)
    facts.models[["name", "score"]]          # the units proposed as models
    write_facts(facts, "out/facts-2017")      # Parquet per frame + facts.json
"""

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

__all__ = ["DEPARTMENT_FILE", "FRAMES", "INSPECTION", "SUPPLIER", "UNIT", "Organisation",
           "Policy", "YearFacts", "load_facts", "load_particulars", "organisation_of",
           "policy_of", "read_facts", "write_facts", "year_facts"]
