"""Report: what leaders read, in layers (each imports only those below it):

    build      run the notebooks, write the documents, publish reports/<year>/
    html | word | excel     renderers: HTML/PDF pages and notebooks, Word documents, Excel
    sentences  the Vietnamese sentences every renderer shares
    facts      what the outputs state, computed once per year
"""

from pathlib import Path

NOTEBOOKS = Path(__file__).parent / "notebooks"
