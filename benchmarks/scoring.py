"""Scoring benchmark: the bulk exact engine against the engine it replaced, side by side.

Builds the tidy answers table of N generated units (plausible values parsed by the
package's own ``parse_answer``, as intake would give them; not timed), then times, in one
process, alternating the two sides in every repetition:

  before  ``compute_points`` + ``compute_scores`` of ``cntt_analysis/scoring/points.py`` as
          it was at ``--base`` (read with ``git show`` and imported from a temporary
          module): one Fraction per rule evaluation
  after   the same two calls of the current package: every rule kind over all units at
          once, integer numerators and denominators in arrays

Both sides are timed as ``score_round`` runs them — points of the self-assessed and the
verified answers, both scores (``--once`` times one call of each) — and "after" also builds
the per-criterion table (``criterion_scores``), which the old engine did not have. Both
sides' points and scores are checked equal before anything is timed. Reports medians,
the ratio before/after, and each side's peak traced memory (tracemalloc, separate run).

Run: ``.venv/bin/python benchmarks/scoring.py [--n 500 5000] [--repeat 5] [--base REV]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from cntt_analysis.intake.values import parse_answer
from cntt_analysis.intake.workbook import answers_frame
from cntt_analysis.rubric.model import Input, Rubric, load_rubric
from cntt_analysis.scoring import points as new_engine

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2017


def old_engine(base: str) -> ModuleType:
    """``scoring/points.py`` as of commit `base`, imported from a temporary file."""
    text = subprocess.run(["git", "show", f"{base}:cntt_analysis/scoring/points.py"],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory(prefix="cntt-old-engine-") as folder:
        path = Path(folder) / "old_points.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("old_points", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def default_base() -> str:
    """The commit before the bulk engine came in (HEAD while it is not committed)."""
    log = subprocess.run(["git", "log", "--format=%H", "-S",
                          "from cntt_analysis.scoring.engine import", "--",
                          "cntt_analysis/scoring/points.py"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    return f"{log[-1]}~1" if log else "HEAD"


# --- generation (not timed) -----------------------------------------------------------

def _raw(inp: Input, done: dict[str, float], rng: random.Random) -> object:
    """A plausible raw cell for `inp` (limits mostly kept; a few blanks and typos)."""
    roll = rng.random()
    if inp.type in ("text", "date", "year"):
        return {"text": "Đơn vị", "date": dt.date(YEAR, 8, rng.randint(1, 20)),
                "year": YEAR}[inp.type]
    if roll < 0.01:
        return None  # blank
    if roll < 0.015:
        return "khoảng 20"  # unreadable
    if inp.type == "yes_no":
        return rng.choice(["Có", "Có", "Không", "x", "Chưa"])
    if inp.type == "choice":
        return rng.choice([*inp.choices, *(["Không áp dụng"] if inp.allow_na else [])])
    limit = sum(done.get(c, 0) for c in inp.at_most) if inp.at_most else None
    if limit is not None:
        value = limit * rng.uniform(0.3, 1.0)
    else:
        value = rng.choice([rng.randint(0, 5), rng.randint(1, 120), rng.randint(100, 20000)])
    if inp.type == "count":
        value = int(value) if rng.random() > 0.05 else 0
        done[inp.code] = value
        return value
    value = round(value, rng.choice([0, 1, 2]))
    done[inp.code] = value
    return f"{value:.2f}".replace(".", ",") if rng.random() < 0.3 else value


def generate(rubric: Rubric, n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The answers table and registry of `n` units (40 % so, 60 % huyen)."""
    rng = random.Random(seed)
    parsed: dict[tuple[str, Any], Any] = {}
    rows = []
    units = [f"u{i:05d}" for i in range(n)]
    for unit in units:
        done: dict[str, float] = {"G05": 0}
        for code, inp in rubric.inputs.items():
            raw = _raw(inp, done, rng)
            key = (code, type(raw), raw)
            if key not in parsed:
                parsed[key] = parse_answer(raw, inp)
            p = parsed[key]
            rows.append({"year": YEAR, "unit_id": unit, "code": code,
                         "raw_value": "" if raw is None else str(raw), "value": p.value,
                         "number": p.number, "status": p.status, "file": f"{unit}.xlsx",
                         "sheet": inp.sheet, "cell": f"D{len(rows) % 60 + 5}"})
    registry = pd.DataFrame({"unit_id": units, "name": units,
                             "group": ["so" if i % 5 < 2 else "huyen" for i in range(n)]})
    return answers_frame(rows), registry


# --- timing ----------------------------------------------------------------------------

def run(engine: ModuleType, answers: pd.DataFrame, rubric: Rubric, registry: pd.DataFrame,
        once: bool) -> None:
    """The scoring step of ``score_round``: points and scores of the verified and of the
    self-assessed answers (the same table here), and the per-criterion tables."""
    for _ in range(1 if once else 2):
        points = engine.compute_points(answers, rubric, registry)
        engine.compute_scores(points, rubric, registry)
        if hasattr(engine, "criterion_scores") and not once:
            engine.criterion_scores(points, rubric, registry)


def check_same(old: ModuleType, answers: pd.DataFrame, rubric: Rubric,
               registry: pd.DataFrame) -> None:
    before = old.compute_points(answers, rubric, registry)
    after = new_engine.compute_points(answers, rubric, registry)
    pd.testing.assert_frame_equal(before, after)
    old_scores = old.compute_scores(before, rubric, registry)
    new_scores = new_engine.compute_scores(after, rubric, registry)
    pd.testing.assert_frame_equal(old_scores, new_scores[old_scores.columns])


def peak_mb(engine: ModuleType, answers: pd.DataFrame, rubric: Rubric,
            registry: pd.DataFrame, once: bool) -> float:
    tracemalloc.start()
    run(engine, answers, rubric, registry, once)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--base", default=None, help="commit of the old engine")
    parser.add_argument("--once", action="store_true",
                        help="one compute_points + compute_scores call per side")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args(argv)
    base = args.base or default_base()
    old = old_engine(base)
    rubric = load_rubric("2017")
    what = "compute_points + compute_scores" if args.once else \
        "scoring step of score_round (self-assessed and verified)"
    print(f"Scoring, {what}; before = points.py at {base}; medians of {args.repeat}")
    header = f"{'units':>7} {'rows':>9} {'before s':>9} {'after s':>9} {'ratio':>7}"
    if not args.no_memory:
        header += f" {'before MB':>10} {'after MB':>9}"
    print(header)
    for n in args.n:
        answers, registry = generate(rubric, n, args.seed)
        check_same(old, answers, rubric, registry)
        times: dict[str, list[float]] = {"before": [], "after": []}
        for r in range(args.repeat):
            sides = [("before", old), ("after", new_engine)]
            for name, engine in sides if r % 2 == 0 else sides[::-1]:
                start = time.perf_counter()
                run(engine, answers, rubric, registry, args.once)
                times[name].append(time.perf_counter() - start)
        before, after = (statistics.median(times[k]) for k in ("before", "after"))
        line = (f"{n:>7,} {n * len(rubric.indicators):>9,} {before:>9.2f} {after:>9.2f} "
                f"{before / after:>6.1f}×")
        if not args.no_memory:
            line += (f" {peak_mb(old, answers, rubric, registry, args.once):>10.0f}"
                     f" {peak_mb(new_engine, answers, rubric, registry, args.once):>9.0f}")
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
