"""The notebooks a kept kernel runs one after another share the loaded results and facts
(shallow copies of the same frames): a notebook that changes a frame in place changes
only its own copy, never what the next notebook reads (pandas copy-on-write, always on
in pandas 3, turned on by `cntt_analysis.frames` in pandas 2.2).

One kernel runs the notebooks, as `cntt report` does."""

from __future__ import annotations

import json

import nbformat
import pytest

from cntt_analysis.report.build.kernels import Kernel, close_thread_loop
from cntt_analysis.scoring.pipeline import ensure_scored

# How a notebook changes a frame in place, each on a frame of the results and one of the
# facts: cell by label, cell by position, a column taken out as a Series then changed,
# a method with inplace=True, a column set whole.
MUTATIONS = {
    "loc": "{f}.loc[{f}.index[0], {col!r}] = {bad!r}",
    "iloc": "{f}.iloc[0, {f}.columns.get_loc({col!r})] = {bad!r}",
    "series": "column = {f}[{col!r}]\ncolumn.iloc[0] = {bad!r}",
    "inplace": "{f}.fillna({{{col!r}: {bad!r}}}, inplace=True)\n"
               "{f}.sort_values({col!r}, ascending=False, inplace=True)\n"
               "{f}.drop(index={f}.index[:1], inplace=True)",
    "column": "{f}[{col!r}] = {bad!r}",
}
# (frame expression, a column it holds, a value no real row has)
FRAMES = {
    "results.scores": ("results.scores", "score", -1.0),
    "results.points": ("results.points", "points", -1.0),
    "facts.scores": ("facts.scores", "score", -1.0),
    "facts.units": ("facts.units", "name", "ĐÃ SỬA"),
}
LOAD = ("from cntt_analysis.analysis.results import load_results\n"
        "from cntt_analysis.report.facts import cached_facts\n"
        "results = load_results({raw!r}, {processed!r})\n"
        "facts = cached_facts({raw!r}, {processed!r}, {year})\n")
SHOW = ("import json\n"
        "print(json.dumps({{name: frame.to_json(orient='split', index=False) for name, frame"
        " in {frames}.items()}}, ensure_ascii=False))\n")


def notebook(*cells: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


def shown(nb: nbformat.NotebookNode) -> dict:
    # (printed text may come in more than one piece)
    return json.loads("".join(o["text"] for o in nb.cells[-1].outputs
                              if o.get("name") == "stdout"))


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    kernel = Kernel(tmp_path_factory.mktemp("kernel"))
    yield kernel
    kernel.shutdown()
    close_thread_loop()


@pytest.fixture
def scored(make_round, tmp_path):
    rnd = make_round()
    rnd.add_all()
    processed = tmp_path / "processed"
    ensure_scored(rnd.raw, processed, progress=False)
    return {"raw": str(rnd.raw), "processed": str(processed), "year": rnd.year}


@pytest.mark.parametrize("how", MUTATIONS)
def test_a_notebook_changing_a_shared_frame_leaves_the_next_notebooks_as_loaded(
        kernel, scored, how):
    load = LOAD.format(**scored)
    frames = "{" + ", ".join(f"{name!r}: {expr}" for name, (expr, _, _) in FRAMES.items()) + "}"
    first = kernel.run(notebook(load, SHOW.format(frames=frames)))
    changes = "\n".join(MUTATIONS[how].format(f=expr, col=col, bad=bad)
                        for expr, col, bad in FRAMES.values())
    changed = kernel.run(notebook(load, changes, SHOW.format(frames=frames)))
    after = kernel.run(notebook(load, SHOW.format(frames=frames)))
    if how != "series":  # (a Series taken out is a copy of its own under copy-on-write)
        assert shown(changed) != shown(first)  # the change took, in its own notebook
    assert shown(after) == shown(first)
