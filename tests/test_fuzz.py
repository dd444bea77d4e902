"""A seeded mutation fuzzer over real templates (.xlsx written by the package, .ods and .xls
converted by LibreOffice): byte flips, truncations and XML mutations inside the archive.

All mutants of a format go into one round beside three valid submissions, and `cntt score`
runs once as its own process. Whatever the mutants are, the round completes, the valid
units' scores are those of the round without mutants, the raw files are unchanged, every
mutant is accounted for in the register, and peak memory stays within the budget.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import pandas as pd
import pytest
from conftest import UNITS
from hostile import MEMORY_BUDGET_KB, cntt_score, rezip

SEED = 20170810
CASES = 100  # per format: 300 in all
GOOD = ["SO_CCQLDD", "H_TANPHUOC", "H_CAILAY"]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 4, 16, 64])):
        out[rng.randrange(len(out))] ^= rng.randrange(1, 256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data))]


_XML_EDITS = [
    # a sheet that declares the largest range, or a row at the very end
    (rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"'),
    (rb'<row r="\d+"', b'<row r="1048576"'),
    (rb'<c r="[A-Z]+(\d+)"', b'<c r="XFD\\1"'),
    # ODS: rows and cells repeated a million times
    (rb"<table:table-row", b'<table:table-row table:number-rows-repeated="1000000"'),
    (rb"<table:table-cell", b'<table:table-cell table:number-columns-repeated="16384"'),
    # numbers and types that are not what they say
    (rb"<v>[^<]*</v>", b"<v>1e308</v>"),
    (rb't="s"', b't="e"'),
    (rb'office:value="[^"]*"', b'office:value="NaN"'),
]


def mutate_xml(xml: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0 or len(xml) < 10:
        pattern, replacement = rng.choice(_XML_EDITS)
        matches = list(re.finditer(pattern, xml))
        if matches:
            m = rng.choice(matches)
            return xml[:m.start()] + m.expand(replacement) + xml[m.end():]
        return xml + b"<"
    start = rng.randrange(len(xml))
    end = min(len(xml), start + rng.randrange(1, 400))
    if kind == 1:  # delete a slice (unbalanced tags)
        return xml[:start] + xml[end:]
    if kind == 2:  # repeat a slice many times
        return xml[:end] + xml[start:end] * rng.choice([2, 50, 2000]) + xml[end:]
    return flip_bytes(xml, rng)


def mutate_archive(data: bytes, rng: random.Random) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".xml")]
        name = rng.choice(names)
        xml = archive.read(name)
    return rezip(data, {name: mutate_xml(xml, rng)})


def mutants(data: bytes, fmt: str, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    ops = [flip_bytes, truncate] + ([mutate_archive] * 3 if fmt != "xls" else [])
    return [rng.choice(ops)(data, rng) for _ in range(CASES)]


def scores_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["unit_id"].isin(GOOD)].sort_values("unit_id").reset_index(drop=True)


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_mutated_templates_never_stop_the_round(fmt, make_round, converted_submission,
                                                tmp_path, hash_files):
    # SO_VP's workbook is the one mutated; SO_VP is not registered here, so no mutant can
    # take part in the good units' scores (which depend on their group's best).
    rnd = make_round(units=[u for u in UNITS if u[0] != "SO_VP"])
    for unit_id in GOOD:
        rnd.add(unit_id)
    baseline = scores_of(rnd.score().scores)
    assert len(baseline) == 3
    data = converted_submission[fmt].read_bytes()
    names = []
    for i, mutant in enumerate(mutants(data, fmt, SEED + ["xlsx", "ods", "xls"].index(fmt))):
        names.append(rnd.write(f"m{i:03d}.{fmt}", mutant).name)
    before = hash_files(rnd.raw)

    run = cntt_score(rnd.raw, tmp_path / "p")

    assert run.code == 0, run.err[-3000:]
    assert "Traceback" not in run.err
    assert hash_files(rnd.raw) == before
    assert run.peak_kb < MEMORY_BUDGET_KB, f"{run.peak_kb // 1024} MB"
    folder = tmp_path / "p" / "2017"
    pd.testing.assert_frame_equal(scores_of(pd.read_parquet(folder / "scores.parquet")),
                                  baseline)
    register = pd.read_parquet(folder / "register.parquet")
    assert set(names) <= set(register["file"])
