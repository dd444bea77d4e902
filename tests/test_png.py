"""Tests for cntt_analysis.report.html.png: charts' PNG files, encoded from matplotlib's
pixels, decode (Pillow) to exactly the image matplotlib's own PNG holds."""

from __future__ import annotations

import io
import struct
import zlib

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from cntt_analysis.report.html import plots  # noqa: E402
from cntt_analysis.report.html.png import encode_png, figure_png  # noqa: E402


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


@pytest.mark.parametrize("tight", [True, False])
def test_a_chart_decodes_to_the_pixels_size_and_resolution_matplotlib_draws(tight):
    ours = Image.open(io.BytesIO(figure_png(chart(), 150, tight)))
    theirs = matplotlib_png(chart(), 150, tight)
    assert ours.size == theirs.size and ours.size[0] > 900
    assert ours.info["dpi"] == pytest.approx(theirs.info["dpi"])
    assert ours.info["dpi"] == pytest.approx((150, 150), abs=0.05)
    assert ours.mode == "RGB"  # opaque: no alpha channel to carry (or for WeasyPrint to split)
    assert np.array_equal(np.asarray(ours), np.asarray(theirs.convert("RGB")))


def test_a_chart_with_transparent_pixels_keeps_its_alpha_channel():
    ours = Image.open(io.BytesIO(figure_png(chart(transparent=True), 100)))
    theirs = matplotlib_png(chart(transparent=True), 100)
    assert ours.mode == "RGBA" and theirs.mode == "RGBA"
    assert np.asarray(ours)[..., 3].min() == 0
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))


def test_rows_are_stored_unfiltered_and_the_same_figure_gives_the_same_bytes():
    first, again = figure_png(chart(), 120), figure_png(chart(), 120)
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


def test_a_figure_shows_itself_in_a_notebook_as_the_same_png():
    fig = chart()
    shown = Image.open(io.BytesIO(fig._repr_png_()))
    assert np.array_equal(np.asarray(shown), np.asarray(matplotlib_png(chart(), 110)
                                                       .convert("RGB")))
