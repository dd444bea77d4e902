"""Running a notebook's cells straight in a kernel's interpreter, without a message per
cell: the report's notebooks only show what the package's functions return, and a
profile's cells take ~0.2 s while running them through the kernel's messaging (a fresh
session, then each cell sent, its outputs received and decoded) took as long again.

`render` is called inside a kept kernel (`kernels.Kernel.render`). It runs each code cell
in a fresh namespace, keeps each cell's last value as the ``execute_result`` the kernel
would have sent (the same formatter: ``get_ipython().display_formatter``), numbers the
cells from 1, writes the executed notebook and makes its HTML and PDF. Whatever this cannot
reproduce exactly raises `Fallback`, and the notebook is run the ordinary way (nbclient),
from the start: a cell that raises (its error is the kernel's to format), prints or warns
(stream outputs), displays (``display()``), leaves a figure open (the inline backend would
show it), is not plain Python (magics, shell escapes), ends with ``;`` or is tagged.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import gc
import io
from typing import Any

import nbformat

from cntt_analysis.memory import release_memory

# Tags a notebook carries that change nothing in how its cells run.
PLAIN_TAGS = {"parameters", "injected-parameters"}


class Fallback(Exception):
    """The notebook needs the kernel's own execution (see the module's docstring)."""


def render(notebook_json: str, executed: str, html: str, title: str,
           pdf: str | None) -> None:
    """Run a parameterized notebook (JSON) here, write it executed, export it; raises
    `Fallback` when it must be run through the kernel's messaging instead."""
    from cntt_analysis.report.build.kernels import export_node, share_results
    from cntt_analysis.storage import write_text

    nb = nbformat.reads(notebook_json, as_version=4)
    share_results()
    run_cells(nb)
    write_text(nbformat.writes(nb) + "\n", executed)
    export_node(nb, html, title, pdf)
    release_memory()
    # What is left lives as long as the kernel (libraries, the shared tables): moved out of
    # the collector's way, so the next notebook's collections do not walk its ~240,000
    # objects again (a unit's profile ~8 % faster).
    gc.freeze()


def run_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Execute `nb`'s code cells in one fresh namespace, outputs as a kernel's."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        raise Fallback("no kernel")
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    plans = [_plan(cell.source, shell) for cell in cells]
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    for count, (cell, (body, last)) in enumerate(zip(cells, plans), start=1):
        if set(cell.metadata.get("tags", [])) - PLAIN_TAGS:
            raise Fallback("tagged cell")
        value = _run_cell(body, last, namespace, shell)
        cell.execution_count = count
        cell.outputs = [] if value is None else [_result(value, count, shell)]
    nb.metadata["language_info"] = shell.kernel.language_info
    nb.metadata.setdefault("papermill", {})["exception"] = None
    return nb


def _plan(source: str, shell) -> tuple[ast.Module, ast.Expression | None]:
    """The cell's statements and its last expression (shown), or Fallback."""
    if shell.transform_cell(source) != source + "\n" and \
            shell.transform_cell(source) != source:
        raise Fallback("not plain Python")
    if source.rstrip().endswith(";"):
        raise Fallback("output silenced")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        raise Fallback("syntax") from None
    end = tree.body[-1] if tree.body else None
    if not isinstance(end, ast.Expr):
        return tree, None
    tree.body.pop()
    return tree, ast.Expression(end.value)


def _run_cell(body: ast.Module, last: ast.Expression | None, namespace: dict, shell) -> Any:
    """Run one cell; its last expression's value. Anything a kernel would have sent
    besides that value is a Fallback."""
    import sys

    out, shown = io.StringIO(), []
    publish = shell.display_pub.publish
    shell.display_pub.publish = lambda *a, **k: shown.append(a)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(compile(body, "<cell>", "exec"), namespace)  # noqa: S102 - the notebook's own code
            value = None if last is None else eval(  # noqa: S307
                compile(last, "<cell>", "eval"), namespace)
    except Exception as exc:
        raise Fallback(f"{type(exc).__name__}: {exc}") from None
    finally:
        shell.display_pub.publish = publish
    pyplot = sys.modules.get("matplotlib.pyplot")
    if out.getvalue() or shown or (pyplot is not None and pyplot.get_fignums()):
        raise Fallback("output besides the cell's value")
    return value


def _result(value: Any, count: int, shell) -> nbformat.NotebookNode:
    data, metadata = shell.display_formatter.format(value)
    return nbformat.v4.new_output("execute_result", data=data, metadata=metadata,
                                  execution_count=count)
