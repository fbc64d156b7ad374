"""Study documents (cheat sheets, reference guides): a typed structure (`model.py`) that agents fill
and check, rendered to HTML and then PDF (`render.py`, WeasyPrint)."""
