"""Tests for cntt_analysis.report.html.png: charts' PNG files, encoded from matplotlib's
pixels, decode (Pillow) to the image matplotlib's own PNG holds: exactly, or, cropped from
one drawing, the same image but for a shift of less than half a pixel."""

from __future__ import annotations

import io
import pickle
import struct
import zlib

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from cntt_analysis.report.html import plots  # noqa: E402
from cntt_analysis.report.html.png import encode_png, figure_png  # noqa: E402


@pytest.fixture(autouse=True)
def report_style():
    """The reports' style, whatever another test left set (charts' sizes and so the
    fractions of a pixel below depend on it)."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        plots.use_style()
        yield


def chart(transparent: bool = False) -> plots.ReportFigure:
    fig = plots.ReportFigure(figsize=(6.5, 3), layout="constrained")
    ax = fig.subplots()
    ax.bar(["Văn phòng Sở", "Chi cục Bảo vệ môi trường"], [74.46, 58.2], color="#1f5f8b")
    ax.plot([0, 1], [70, 70], color="#d95f02", linestyle="--")
    ax.set_title("Điểm ứng dụng CNTT năm 2017 — Trung bình 66,33")
    if transparent:
        fig.patch.set_alpha(0)
        ax.patch.set_alpha(0)
    return fig


def matplotlib_png(fig, dpi: float, tight: bool = True) -> Image.Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return Image.open(buffer)


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == \
            zlib.crc32(kind + body)
        found.append((kind, body))
        at += 12 + length
    return found


def cut_from(ours: np.ndarray, full: np.ndarray) -> tuple[int, int]:
    """Where `ours` lies in `full` (the whole figure, drawn once): the (top, left) at which
    every pixel they share is the same; fails when there is none (the image was drawn
    again, moved, resampled)."""
    for top in range(-15, 16):
        for left in range(-15, 16):
            rows = slice(max(top, 0), min(top + ours.shape[0], full.shape[0]))
            cols = slice(max(left, 0), min(left + ours.shape[1], full.shape[1]))
            if np.array_equal(ours[rows.start - top:rows.stop - top,
                                   cols.start - left:cols.stop - left], full[rows, cols]):
                return top, left
    raise AssertionError("not a crop of the figure's drawing")


def best_shift(ours: np.ndarray, theirs: np.ndarray) -> tuple[int, int]:
    """The whole-pixel shift of `ours` that brings it closest to `theirs`."""
    ours, theirs = ours.astype(int), theirs.astype(int)
    return min(((dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)),
               key=lambda d: np.abs(np.roll(ours, d, axis=(0, 1)) - theirs)[3:-3, 3:-3].mean())


def cropped_as_savefig_crops(ours: np.ndarray, fig_maker, dpi: float, exact: bool = False
                             ) -> None:
    """`ours` is the figure's one drawing cut out, the size of savefig's tight image and
    placed within a pixel of it (savefig draws it moved by a fraction of a pixel: where
    that fraction is near a half, either neighbour is as close); `exact`: where it is not,
    placed where savefig places it."""
    full = np.asarray(matplotlib_png(fig_maker(), dpi, tight=False).convert("RGB"))
    theirs = np.asarray(matplotlib_png(fig_maker(), dpi).convert("RGB"))
    assert ours.shape == theirs.shape
    top, left = cut_from(ours, full)
    assert top < 0 and left < 0  # the padding goes past the figure's edge
    shift = best_shift(ours, theirs)
    assert shift == (0, 0) if exact else all(abs(d) <= 1 for d in shift)


def test_a_chart_not_cropped_decodes_to_the_pixels_size_and_resolution_matplotlib_draws():
    ours = Image.open(io.BytesIO(figure_png(chart(), 150, tight=False)))
    theirs = matplotlib_png(chart(), 150, tight=False)
    assert ours.size == theirs.size == (975, 450)
    assert ours.info["dpi"] == pytest.approx(theirs.info["dpi"])
    assert ours.info["dpi"] == pytest.approx((150, 150), abs=0.05)
    assert ours.mode == "RGB"  # opaque: no alpha channel to carry (or for WeasyPrint to split)
    assert np.array_equal(np.asarray(ours), np.asarray(theirs.convert("RGB")))


# The test chart's padded box starts 4.49, 5.83, 7.00, 8.75 and 11.20 pixels past the
# figure's edges at these resolutions: whole pixels at 120 dpi only. Elsewhere savefig
# draws the chart moved by a fraction of a pixel, and which neighbour is nearer depends on
# how each line and letter snaps to the pixels.
@pytest.mark.parametrize(("dpi", "exact"), [(77, False), (100, False), (120, True),
                                            (150, False), (192, False)])
def test_a_cropped_chart_is_cut_from_one_drawing_as_savefig_crops_it(dpi, exact):
    data = figure_png(chart(), dpi)
    ours = Image.open(io.BytesIO(data))
    assert ours.info["dpi"] == pytest.approx((dpi, dpi), abs=0.05) and ours.mode == "RGB"
    cropped_as_savefig_crops(np.asarray(ours), chart, dpi, exact)
    assert (np.asarray(ours)[:3] == 255).all()  # the padding past the edge: the background


def test_a_chart_drawn_past_its_edge_or_saved_on_another_background_goes_to_savefig():
    def past_edge() -> plots.ReportFigure:
        fig = chart()
        fig.text(1.02, 0.5, "Ghi chú ngoài khung hình")
        return fig

    ours = Image.open(io.BytesIO(figure_png(past_edge(), 100)))
    theirs = matplotlib_png(past_edge(), 100)
    assert ours.size == theirs.size and ours.size[0] > 650 + 50  # the note is shown whole
    assert np.array_equal(np.asarray(ours), np.asarray(theirs.convert("RGB")))
    with matplotlib.rc_context({"savefig.facecolor": "#fdf6e3"}):
        ours = Image.open(io.BytesIO(figure_png(chart(), 100)))
        theirs = matplotlib_png(chart(), 100)
    assert np.asarray(ours)[0, 0].tolist() == [0xfd, 0xf6, 0xe3]
    assert np.array_equal(np.asarray(ours), np.asarray(theirs.convert("RGB")))


def test_a_chart_with_transparent_pixels_keeps_its_alpha_channel():
    ours = Image.open(io.BytesIO(figure_png(chart(transparent=True), 100)))
    theirs = matplotlib_png(chart(transparent=True), 100)
    assert ours.mode == "RGBA" and theirs.mode == "RGBA"
    assert np.asarray(ours)[..., 3].min() == 0
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize("tight", [True, False])
def test_rows_are_stored_unfiltered_and_the_same_figure_gives_the_same_bytes(tight):
    first, again = figure_png(chart(), 120, tight), figure_png(chart(), 120, tight)
    assert first == again
    kinds = [kind for kind, _ in chunks(first)]
    assert kinds == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]  # no text chunk, no date
    header, *_ = (body for kind, body in chunks(first) if kind == b"IHDR")
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    rows = zlib.decompress(b"".join(body for kind, body in chunks(first) if kind == b"IDAT"))
    assert (depth, colour) == (8, 2) and len(rows) == height * (1 + 3 * width)
    assert all(rows[r * (1 + 3 * width)] == 0 for r in range(height))


def test_encode_png_writes_any_rgba_array_and_no_resolution_when_none_is_given():
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(5, 7, 4), dtype=np.uint8)
    data = encode_png(pixels)
    assert [kind for kind, _ in chunks(data)] == [b"IHDR", b"IDAT", b"IEND"]
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), pixels)


@pytest.mark.parametrize("tight", [True, False])
def test_a_figure_drawn_is_left_as_it_was_even_pickled(tight):
    fig = chart()
    dpi = fig.dpi
    figure_png(fig, dpi + 40, tight)
    assert fig.dpi == dpi and type(fig.canvas).__name__ == "FigureCanvasBase"
    assert pickle.loads(pickle.dumps(fig)).dpi == dpi  # its dpi as made, not as drawn


def test_a_figure_shows_itself_in_a_notebook_as_the_same_png():
    fig = chart()
    dpi = fig.dpi
    shown = Image.open(io.BytesIO(fig._repr_png_()))
    cropped_as_savefig_crops(np.asarray(shown), chart, 110)
    assert fig.dpi == dpi and fig.get_size_inches().tolist() == [6.5, 3]  # as it was
    assert type(fig.canvas).__name__ == "FigureCanvasBase"
