"""Report: what leaders read — sentences, plots, HTML blocks and views, pages (HTML/PDF),
the Excel results, the build that runs the notebooks shipped in ``notebooks/``."""

from pathlib import Path

NOTEBOOKS = Path(__file__).parent / "notebooks"
