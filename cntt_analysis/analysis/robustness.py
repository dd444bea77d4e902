"""How robust is a rank? Uncertainty analysis after the OECD/JRC Handbook on Constructing
Composite Indicators (2008): recompute every unit's rank under perturbed criterion weights
and report its median rank with a 5th–95th percentile band.

A score is Σ earned / Σ applicable max × 100, which is the same as weighting each criterion
by its applicable maximum. The scenarios change those weights:

- ``draws`` Monte Carlo draws: each criterion's weight is multiplied by a factor drawn
  uniformly from [1 − spread, 1 + spread], the same factor for every unit of the draw;
- with ``drop_one``, one scenario per criterion that leaves the criterion out (factor 0).

In each scenario a unit's composite is Σ_c f_c · earned_uc / Σ_c f_c · applicable_max_uc × 100,
rounded half-up to 2 decimals as scores are, and units are ranked competition-style
(1, 2, 2, 4) within year and group. Everything is computed on scenario × unit arrays.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from cntt_analysis.scoring.points import NA

WEIGHT_COLUMNS = ["year", "unit_id", "group", "criterion", "earned", "applicable_max"]
ROBUST_COLUMNS = ["year", "unit_id", "name", "group", "score", "rank", "median_rank", "p05",
                  "p95", "band", "best_rank", "worst_rank", "robust", "note"]
STABLE_NOTE = "thứ hạng ổn định"
NO_SCORE_NOTE = "không có điểm để xếp hạng"
NOT_RANKED_NOTE = "được đánh giá nhưng không xếp hạng"
# Bytes of the boolean scenarios × units × units array compared at once.
PAIRWISE_BYTES = 16_000_000


def criterion_weights(points: pd.DataFrame) -> pd.DataFrame:
    """Earned points and applicable maximum per (year, unit, criterion), from the points
    table: rows marked ``na`` count for neither, ``invalid`` rows count 0 of their maximum.

    Sums are exact decimals, so Σ earned / Σ applicable_max × 100 over a unit's criteria,
    rounded half-up, is its score in ``compute_scores``. Columns: ``WEIGHT_COLUMNS``,
    criteria in the order of the points table (the rubric's).
    """
    applies = (points["status"] != NA).to_numpy()
    earned = np.where(applies, points["points"].to_numpy(dtype=float), 0.0)
    possible = np.where(applies, points["max_points"].to_numpy(dtype=float), 0.0)
    earned, possible = np.nan_to_num(earned), np.nan_to_num(possible)
    order = list(dict.fromkeys(points["criterion"]))  # rubric order, as the points are
    frame = pd.DataFrame({
        "year": points["year"].to_numpy(), "unit_id": points["unit_id"].to_numpy(),
        "_c": points["criterion"].map({c: i for i, c in enumerate(order)}).to_numpy(),
        "group": points["group"].to_numpy()})
    blocks = frame.groupby(["year", "unit_id", "_c"], sort=True)
    sums = blocks["group"].first().reset_index()
    which = blocks.ngroup().to_numpy()  # numbered in the sorted order of `sums`
    sums["criterion"] = [order[i] for i in sums["_c"]]
    sums["earned"] = _exact_sums(earned, which, len(sums))
    sums["applicable_max"] = _exact_sums(possible, which, len(sums))
    return sums[WEIGHT_COLUMNS]


def _exact_sums(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per group, the exact decimal sum of `values` (floats standing for decimals, as the
    points table holds them), returned as the nearest float."""
    micro = np.round(values * 1_000_000)
    if np.all(np.abs(values * 1_000_000 - micro) < 1e-3) and np.abs(micro).max(
            initial=0) < 2**52:  # fast path: every value has at most 6 decimals
        totals = np.zeros(n, dtype=np.int64)
        np.add.at(totals, groups, micro.astype(np.int64))
        return totals / 1_000_000
    exact = [Fraction(0)] * n
    for g, v in zip(groups, values):
        exact[g] += Fraction(repr(float(v)))
    return np.array([float(t) for t in exact])


def scenario_factors(n_criteria: int, draws: int = 1000, spread: float = 0.25,
                     seed: int = 2017, drop_one: bool = True) -> np.ndarray:
    """Weight factors, scenarios × criteria: ``draws`` rows of Uniform(1 − spread,
    1 + spread) from ``numpy.random.default_rng(seed)``, then (``drop_one``) one row per
    criterion with that criterion at 0 and the others at 1."""
    if draws < 0:
        raise ValueError("Số lần rút ngẫu nhiên (draws) không được âm.")
    if not 0 <= spread <= 1:
        raise ValueError("Biên độ thay đổi trọng số (spread) phải từ 0 đến 1.")
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - spread, 1 + spread, size=(draws, n_criteria))
    if drop_one:
        factors = np.vstack([factors, 1 - np.eye(n_criteria)])
    if len(factors) == 0:
        raise ValueError("Không có kịch bản nào: cần draws > 0 hoặc drop_one=True.")
    return factors


def composite_cents(earned: np.ndarray, possible: np.ndarray,
                    factors: np.ndarray) -> np.ndarray:
    """Composite scores in hundredths (scenarios × units, float, NaN when nothing applies):
    round_half_up(Σ f·earned / Σ f·possible × 100, 2) × 100, exact whole numbers so that
    equal profiles tie exactly. `earned`, `possible`: units × criteria."""
    num = factors @ earned.T
    den = factors @ possible.T
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, num / den * 10_000, np.nan)
    # half-up with a tolerance for binary noise (7290.4999999 is the decimal 72.905)
    return np.floor(value + 0.5 + 1e-7)


def competition_ranks(values: np.ndarray, chunk_bytes: int = PAIRWISE_BYTES) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4), highest first, of each row of `values` (scenarios ×
    units): 1 + how many units of the row are strictly greater. NaN values get no rank
    (NaN) and do not count. The pairwise comparison is done in chunks of scenarios so the
    boolean array stays below `chunk_bytes`."""
    values = np.asarray(values, dtype=float)
    scenarios, units = values.shape
    missing = np.isnan(values)
    filled = np.where(missing, -np.inf, values)
    ranks = np.empty(values.shape, dtype=float)
    step = max(1, chunk_bytes // max(units * units, 1))
    for start in range(0, scenarios, step):
        block = filled[start:start + step]
        ranks[start:start + step] = 1 + (block[:, None, :] > block[:, :, None]).sum(axis=2)
    ranks[missing] = np.nan
    return ranks


def rank_summary(ranks: np.ndarray) -> dict[str, np.ndarray]:
    """Per unit (column of `ranks`, scenarios × units), over the scenarios where it was
    ranked: median (the usual one, halfway between the two middle ranks for an even count),
    p05 and p95 (inverted CDF: the smallest rank r with at least 5 % / 95 % of the
    scenarios at r or better, always a rank the unit actually took), best and worst.
    NaN for a unit never ranked. Vectorised: one sort of the whole array."""
    ranks = np.asarray(ranks, dtype=float)
    ordered = np.sort(ranks, axis=0)  # NaN last
    count = (~np.isnan(ranks)).sum(axis=0)
    last = np.maximum(count - 1, 0)

    def at(index: np.ndarray) -> np.ndarray:
        if len(ordered) == 0:
            return np.full(ranks.shape[1], np.nan)
        got = np.take_along_axis(ordered, np.minimum(index, last)[None, :], axis=0)[0]
        return np.where(count > 0, got, np.nan)

    def percentile(q: int) -> np.ndarray:  # exact integer arithmetic: ceil(count·q/100) − 1
        return at(np.maximum((count * q + 99) // 100 - 1, 0))

    return {"median_rank": (at(last // 2) + at(count // 2)) / 2,
            "p05": percentile(5), "p95": percentile(95),
            "best_rank": at(np.zeros_like(count)), "worst_rank": at(last)}


def _note(robust: bool, low: float, high: float) -> str:
    if pd.isna(low):
        return NO_SCORE_NOTE
    if robust:
        return STABLE_NOTE
    if low == high:
        return f"thứ hạng chưa ổn định: có thể ở hạng {int(low)}"
    return f"thứ hạng chưa ổn định: có thể từ hạng {int(low)} đến hạng {int(high)}"


def rank_robustness(points: pd.DataFrame, scores: pd.DataFrame, draws: int = 1000,
                    spread: float = 0.25, seed: int = 2017, drop_one: bool = True,
                    band_limit: float = 2) -> pd.DataFrame:
    """How stable each unit's rank is when the criterion weights change (see module doc).

    One row per (year, unit) of `scores`, sorted like ``compute_scores``. Columns
    (``ROBUST_COLUMNS``): year, unit_id, name, group, score and rank (nominal, from
    `scores`); median_rank, p05, p95 (5th/95th percentiles of the rank over all
    scenarios), band = p95 − p05, best_rank, worst_rank; robust (band < band_limit and the
    nominal rank within [p05, p95]); note (Vietnamese). The scenario settings are kept in
    ``result.attrs["scenarios"]``.

    In: `points` and `scores` of the years to study (the tables of ``load_results``).

    Example::

        >>> from cntt_analysis.analysis.results import load_results
        >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
        >>> now = res.scores[res.scores["year"] == 2017]
        >>> rank_robustness(res.points, now)[["unit_id", "rank", "p05", "p95", "robust"]].head(3)
                unit_id  rank  p05  p95  robust
        0   h-yen-khanh     1    1    1    True
        1  h-tx-phu-lam     2    2    2    True
        2   h-huong-son     3    3    4    True
    """
    weights = criterion_weights(points)
    criteria = list(dict.fromkeys(weights["criterion"]))
    factors = scenario_factors(len(criteria), draws, spread, seed, drop_one)
    earned = weights.pivot_table(index=["year", "unit_id"], columns="criterion",
                                 values="earned", aggfunc="sum", fill_value=0.0)
    possible = weights.pivot_table(index=["year", "unit_id"], columns="criterion",
                                   values="applicable_max", aggfunc="sum", fill_value=0.0)
    earned, possible = earned.reindex(columns=criteria), possible.reindex(columns=criteria)

    base = scores[["year", "unit_id", "name", "group", "score", "rank"]].reset_index(drop=True)
    keys = pd.MultiIndex.from_frame(base[["year", "unit_id"]])
    absent = keys.difference(earned.index)
    if len(absent):
        year, unit = absent[0]
        raise ValueError(f"Không có điểm chi tiết của đơn vị {unit} năm {year}.")
    e_all = earned.reindex(keys).to_numpy(dtype=float)
    m_all = possible.reindex(keys).to_numpy(dtype=float)

    summary = {column: np.full(len(base), np.nan) for column in
               ("median_rank", "p05", "p95", "best_rank", "worst_rank")}
    # units assessed but not ranked take no place in any scenario
    ranked = scores["ranked"].astype(bool).to_numpy() if "ranked" in scores.columns \
        else np.ones(len(base), dtype=bool)
    for rows in base.groupby(["year", "group"], sort=False, dropna=False).indices.values():
        rows = rows[ranked[rows]]
        if not len(rows):
            continue
        ranks = competition_ranks(composite_cents(e_all[rows], m_all[rows], factors))
        for column, values in rank_summary(ranks).items():
            summary[column][rows] = values

    result = base.copy()
    result["median_rank"] = summary["median_rank"]
    for column in ("p05", "p95", "best_rank", "worst_rank"):
        values = summary[column]
        result[column] = pd.array(np.where(np.isnan(values), None, values),  # type: ignore[call-overload]  # numpy stubs: None as a fill
                                  dtype="Int64")
    result["band"] = result["p95"] - result["p05"]
    nominal = result["rank"].astype("Float64")
    robust = ((result["band"] < band_limit) & (nominal >= result["p05"])
              & (nominal <= result["p95"]))
    result["robust"] = robust.fillna(False).astype(bool)
    result["note"] = [_note(r, lo, hi) if ok else NOT_RANKED_NOTE for r, lo, hi, ok in
                      zip(result["robust"], result["p05"], result["p95"], ranked)]
    result = result[ROBUST_COLUMNS].sort_values(["year", "group", "rank", "unit_id"],
                                                ignore_index=True)
    result.attrs["scenarios"] = {"draws": draws, "spread": spread, "seed": seed,
                                 "drop_one": drop_one, "criteria": criteria,
                                 "count": len(factors), "band_limit": band_limit}
    return result
