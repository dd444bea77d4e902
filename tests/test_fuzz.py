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


# --------------------------------------------------------------------------- YAML files
# The configuration files a clerk edits, mutated as an editor would (a line lost or doubled,
# indentation shifted, a key misspelt, a value of another kind, a stray character, bytes
# flipped, the file cut short). Whatever the mutant, loading it (and reading what the
# outputs read from it) either works or stops with the package's Vietnamese message
# (UsageError) naming a file: never another exception.

YAML_CASES = 150  # per file: 450 in all
_VALUES = ["[a, b]", "{x: 1}", "'chữ'", "2017-02-30", "2017-13-45", "*x", "&x 1", "~", "yes",
           "-1", "1e400", "!!python/object/apply:os.system ['true']", "!!binary '@@'", '"',
           "[", "{", "'", "0x1F", ".nan", "2017-08-10 25:61:00", "|", ">", "? a", "- a"]
_CHARS = [":", "-", "[", "]", "{", "}", "'", '"', "\t", "\x00", "&", "*", "!", "%", "@", "`",
          "#", ",", "\u2028", "\ufeff"]


def _key_typo(line: str, rng: random.Random) -> str:
    head, sep, tail = line.partition(":")
    stripped = head.lstrip(" -")
    if not sep or not stripped:
        return line
    i = rng.randrange(len(stripped))
    edit = rng.choice([stripped[:i] + stripped[i + 1:], stripped[:i] + "x" + stripped[i:],
                       stripped[:i] + stripped[i:][::-1]])
    return head[:len(head) - len(stripped)] + edit + sep + tail


def _value_swap(line: str, rng: random.Random) -> str:
    head, sep, _tail = line.partition(": ")
    return head + sep + rng.choice(_VALUES) if sep else line + " " + rng.choice(_VALUES)


def mutate_yaml(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    kind = rng.randrange(8)
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        lines[i] = rng.choice(["  ", "    ", " "]) + lines[i] if rng.random() < 0.5 \
            else lines[i][rng.randint(1, 4):]
    elif kind == 3:
        lines[i] = _key_typo(lines[i], rng)
    elif kind == 4:
        lines[i] = _value_swap(lines[i], rng)
    elif kind == 5:
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + rng.choice(_CHARS) + lines[i][at:]
    out = ("\n".join(lines) + "\n").encode("utf-8")
    if kind == 6:
        return flip_bytes(out, rng)
    if kind == 7:
        return truncate(out, rng)
    return out


def _load_round_file(raw, path):
    from cntt_analysis.intake.rounds import load_round

    load_round(raw, 2017)


def _load_department(raw, path):
    from cntt_analysis.report.facts.organisation import organisation_of
    from cntt_analysis.report.facts.policy import load_particulars, policy_of, remedy_deadline
    from cntt_analysis.report.word.template_files import template_path

    config = load_particulars(raw, 2017)
    policy_of(config)
    remedy_deadline(config, 2017)
    organisation_of(config, 2017)
    for kind in ("report", "notice", "reminder"):
        template_path(raw, config, kind)


def _load_rubric(raw, path):
    from cntt_analysis.rubric.model import load_rubric

    load_rubric(path)


@pytest.mark.parametrize("which", ["round.yaml", "department.yaml", "rubric"])
def test_mutated_yaml_files_load_or_stop_with_a_message(which, tmp_path):
    from pathlib import Path

    from cntt_analysis.errors import UsageError
    from cntt_analysis.rubric.model import RUBRIC_DIR

    root = Path(__file__).parent.parent
    source, load = {
        "round.yaml": (root / "data/raw/2017/round.yaml", _load_round_file),
        "department.yaml": (root / "data/raw/department.yaml", _load_department),
        "rubric": (RUBRIC_DIR / "2017.yaml", _load_rubric),
    }[which]
    text = source.read_text("utf-8")
    if which == "round.yaml":  # the override keys too, so that mutants reach them
        text += ("remedy_deadline: 2018-03-31\nnot_ranked: [vp-so]\nmodels: {tiers: [Tốt], "
                 "max_shortcomings: 2}\ndocuments:\n  report:\n    number: 15\n"
                 "    date: 2017-09-20\n    recipients: [Giám đốc Sở, Văn phòng Sở]\n")
    rng = random.Random(SEED + ["round.yaml", "department.yaml", "rubric"].index(which))
    raw = tmp_path / "raw"
    (raw / "2017").mkdir(parents=True)
    (raw / "2017" / "round.yaml").write_text("deadline: 2017-08-10\nrubric: '2017'\n", "utf-8")
    outcomes = {"loaded": 0, "refused": 0}
    for i in range(YAML_CASES):
        mutant = mutate_yaml(text, rng)
        path = {"round.yaml": raw / "2017" / "round.yaml",
                "department.yaml": raw / "department.yaml",
                "rubric": tmp_path / f"phieu-{i:03d}.yaml"}[which]
        path.write_bytes(mutant)
        try:
            load(raw, path)
        except UsageError as exc:
            assert ".yaml" in str(exc), (i, str(exc))
            outcomes["refused"] += 1
        except Exception as exc:  # the failure this test looks for
            raise AssertionError(f"mutant {i} of {which}: {type(exc).__name__}: {exc}\n"
                                 f"{mutant.decode('utf-8', 'replace')[:3000]}") from exc
        else:
            outcomes["loaded"] += 1
    # Both outcomes occur: the mutants are neither all harmless nor all broken.
    assert outcomes["loaded"] > 10 and outcomes["refused"] > 10, outcomes


# --------------------------------------------------------------------------- inspection file

INSPECTION_CASES = 100  # per format (.xlsx, .csv): 200 in all


def mutate_csv(data: bytes, rng: random.Random) -> bytes:
    """Text-level damage a hand-edited CSV may carry: an unbalanced quote, a huge field,
    rows repeated, one with another verified value (a conflict), a stray BOM or NUL, a
    line cut short."""
    lines = data.split(b"\n")
    i = rng.randrange(1, len(lines))
    kind = rng.randrange(5)
    if kind == 0:
        lines[i] = b'"' + lines[i]
    elif kind == 1:
        lines[i] += b"," + b"9" * rng.choice([10, 10_000, 1_000_000])
    elif kind == 2:
        verified = [j for j in range(1, len(lines))
                    if len(lines[j].split(b",")) > 8 and lines[j].split(b",")[7]]
        i = rng.choice(verified or [i])
        fields = lines[i].split(b",")
        changed = b",".join(fields[:7] + [b"777"] + fields[8:]) if len(fields) > 8 else b""
        lines[i:i] = [lines[i]] * rng.choice([2, 50]) + [changed]
    elif kind == 3:
        lines[i] = rng.choice([b"\xef\xbb\xbf", b"\x00", b"\xff\xfe"]) + lines[i]
    else:
        lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
    return b"\n".join(lines)


def inspection_mutants(data: bytes, fmt: str, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    ops = [flip_bytes, truncate] + ([mutate_archive] * 3 if fmt == "xlsx" else
                                    [mutate_csv] * 3)
    return [rng.choice(ops)(data, rng) for _ in range(INSPECTION_CASES)]


def test_mutated_inspection_files_are_read_in_the_sandbox_and_never_misapplied(
        make_round, tmp_path):
    """Every mutant of a filled inspection file (made by `build_inspection_template`,
    .xlsx and its CSV) is read by the production reader in sandboxed workers and turned
    into corrections: none stops the run, every problem is an issue naming the file, and
    what is applied is a known unit's known answer, once."""
    import csv

    from cntt_analysis.scoring.inspection import (
        SHEET,
        build_inspection_template,
        corrections_from,
        read_inspection_files,
    )

    rnd = make_round()
    for unit_id in GOOD:
        rnd.add(unit_id)
    result = rnd.score()
    answers = result.answers.assign(raw_value=result.answers["reported_value"])
    wb = build_inspection_template(answers, rnd.rubric, result.registry)
    ws = wb[SHEET]
    for r in range(2, ws.max_row + 1, 7):  # a verified value on every 7th row
        ws.cell(r, 8).value = ws.cell(r, 7).value
    source = tmp_path / "inspection.xlsx"
    wb.save(source)
    text = io.StringIO()
    csv.writer(text).writerows([["" if v is None else v for v in row]
                                for row in ws.iter_rows(values_only=True)])
    originals = {"xlsx": source.read_bytes(), "csv": text.getvalue().encode("utf-8-sig")}
    paths = []
    for fmt, data in originals.items():
        folder = tmp_path / fmt
        folder.mkdir()
        paths.append(folder / f"original.{fmt}")
        paths[-1].write_bytes(data)
        for i, mutant in enumerate(inspection_mutants(data, fmt, SEED + len(paths))):
            paths.append(folder / f"m{i:03d}.{fmt}")
            paths[-1].write_bytes(mutant)

    reads = read_inspection_files(paths)

    known_units, known_codes = set(result.registry["unit_id"]), set(rnd.rubric.inputs)
    outcomes = {"applied": 0, "issue only": 0}
    for path, read in zip(paths, reads):
        fixes, issues = corrections_from(read, path.name, rnd.rubric, result.registry, 2017,
                                         result.answers, confirmed=path.suffix == ".csv")
        assert all(i["file"] == path.name and i["message"] for i in issues), path
        assert set(fixes["unit_id"]) <= known_units and set(fixes["code"]) <= known_codes
        assert not fixes.duplicated(["unit_id", "code"]).any(), path
        if path.stem == "original":
            assert issues == [] and len(fixes) == len(range(2, ws.max_row + 1, 7)), path
        outcomes["applied" if len(fixes) else "issue only"] += 1
    assert all(outcomes.values()), outcomes  # the mutants reach both outcomes
