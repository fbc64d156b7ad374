"""A study document to HTML, then to PDF with WeasyPrint. Every string from the model or the course
is escaped; the renderer fetches nothing (no URL in a document can make the server reach out)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from media.documents.model import Point, StudyDocument, Table, Term

STYLESHEET = Path(__file__).with_name("study.css")


def _cites(numbers: list[int]) -> str:
    return f' <span class="cite">[{", ".join(str(n) for n in sorted(set(numbers)))}]</span>'


def _table(block: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in block.columns)
    rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
    caption = f"<caption>{escape(block.caption)}{_cites(block.cites)}</caption>"
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _blocks(blocks: list[Term | Point | Table]) -> str:
    """Consecutive terms share one list, consecutive points one list; tables stand alone."""
    out: list[str] = []
    run: list[str] = []
    kind = ""

    def close() -> None:
        if run:
            out.append(("<dl>" if kind == "term" else "<ul>") + "".join(run) + ("</dl>" if kind == "term" else "</ul>"))
            run.clear()

    for block in blocks:
        if isinstance(block, Table):
            close()
            out.append(_table(block))
            kind = "table"
            continue
        if block.type != kind:
            close()
            kind = block.type
        if isinstance(block, Term):
            run.append(f"<dt>{escape(block.term)}</dt><dd>{escape(block.definition)}{_cites(block.cites)}</dd>")
        else:
            run.append(f"<li>{escape(block.text)}{_cites(block.cites)}</li>")
    close()
    return "".join(out)


def render_html(doc: StudyDocument) -> str:
    sections = "".join(
        f"<section><h2>{escape(s.heading)}</h2>{_blocks(list(s.blocks))}</section>" for s in doc.sections
    )
    sources = "".join(
        f'<li value="{s.n}">'
        + (f'<a href="{escape(s.url)}">{escape(s.title)}</a>' if s.url else escape(s.title))
        + "</li>"
        for s in sorted(doc.sources, key=lambda s: s.n)
    )
    subtitle = f'<p class="subtitle">{escape(doc.subtitle)}</p>' if doc.subtitle else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(doc.title)}</title></head>'
        f'<body class="{doc.kind}"><header><h1>{escape(doc.title)}</h1>{subtitle}</header>'
        f'<main>{sections}</main><footer class="sources"><h2>Sources</h2><ol>{sources}</ol></footer></body></html>'
    )


def render_pdf(doc: StudyDocument) -> bytes:
    """The PDF bytes. WeasyPrint is imported here: it loads Pango, which only this path needs."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=())
    html = HTML(string=render_html(doc), base_url=None, url_fetcher=fetcher)
    pdf: bytes = html.write_pdf(stylesheets=[CSS(string=STYLESHEET.read_text(), url_fetcher=fetcher)])
    return pdf
