"""Read course material into sections (heading path + text, timestamps for transcripts).

Supported: markdown (front matter and headings), HTML (main text only), PDF, plain text, WebVTT and
SRT. Anything else, an empty file, or a file that cannot be parsed raises `BadRequest` naming it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import BadRequest

SUPPORTED = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf",
             ".txt": "text", ".vtt": "vtt", ".srt": "srt"}  # fmt: skip
MEDIA_TYPES = {
    "text/markdown": "markdown",
    "text/html": "html",
    "application/pdf": "pdf",
    "text/plain": "text",
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
}


@dataclass
class Section:
    heading_path: list[str]
    text: str
    anchor: str | None = None
    start_s: float | None = None
    end_s: float | None = None


@dataclass
class LoadedDocument:
    title: str
    kind: str
    sections: list[Section] = field(default_factory=list)

    @property
    def is_transcript(self) -> bool:
        return self.kind in ("vtt", "srt")


def slug_anchor(heading: str) -> str:
    """GitHub-style heading anchor, so a citation link lands on the heading in the lesson view."""
    text = unicodedata.normalize("NFKD", heading).lower()
    text = re.sub(r"[^\w\- ]+", "", text)
    return re.sub(r"\s", "-", text.strip())


def heading_anchor(raw_heading: str) -> str:
    """The anchor of a markdown heading as written (links and emphasis stripped first)."""
    return slug_anchor(_plain(raw_heading))


def kind_of(filename: str, media_type: str | None = None) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in SUPPORTED:
        return SUPPORTED[suffix]
    if media_type and media_type.split(";")[0].strip() in MEDIA_TYPES:
        return MEDIA_TYPES[media_type.split(";")[0].strip()]
    raise BadRequest(
        f"{filename}: unsupported file type; upload one of {', '.join(sorted(SUPPORTED))}",
        extra={"field": "file"},
    )


def load(filename: str, data: bytes, media_type: str | None = None, title: str | None = None) -> LoadedDocument:
    kind = kind_of(filename, media_type)
    if not data.strip():
        raise BadRequest(f"{filename}: the file is empty", extra={"field": "file"})
    name = title or Path(filename).stem.replace("-", " ").replace("_", " ")
    if kind == "pdf":
        document = load_pdf(data, name, filename)
    else:
        text = _decode(data, filename)
        loaders = {
            "markdown": load_markdown,
            "html": load_html,
            "text": load_text,
            "vtt": load_vtt,
            "srt": load_srt,
        }
        document = loaders[kind](text, name)
    if not any(s.text.strip() for s in document.sections):
        raise BadRequest(f"{filename}: no readable text found", extra={"field": "file"})
    return document


def _decode(data: bytes, filename: str) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
            if "\x00" not in text:
                return text
        except UnicodeDecodeError:
            continue
    raise BadRequest(f"{filename}: not a text file in UTF-8", extra={"field": "file"})


# --- markdown ------------------------------------------------------------------------------

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SETEXT = re.compile(r"^(=+|-+)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)


def load_markdown(text: str, title: str) -> LoadedDocument:
    """Split on headings (ATX and setext, never inside code fences); the path starts at the title."""
    text = FRONT_MATTER.sub("", text, count=1)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buffer: list[str] = []
    anchor: str | None = None
    in_fence = False

    def flush() -> None:
        body = "\n".join(buffer).strip()
        if body:
            sections.append(Section([title, *[h for _, h in stack]], body, anchor))
        buffer.clear()

    lines = text.splitlines()
    skip_next = False
    for index, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        if FENCE.match(line):
            in_fence = not in_fence
        level, name = 0, ""
        if not in_fence:
            atx = HEADING.match(line)
            next_line = lines[index + 1] if index + 1 < len(lines) else ""
            if atx:
                level, name = len(atx.group(1)), _plain(atx.group(2))
            elif line.strip() and not line.lstrip().startswith(("-", "*", ">", "|")) and SETEXT.match(next_line):
                level, name, skip_next = (1 if next_line.startswith("=") else 2), _plain(line), True
        if level:
            flush()
            if level == 1 and name.lower() == title.lower() and not stack:
                anchor = slug_anchor(name)
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name))
            anchor = slug_anchor(name)
            continue
        buffer.append(line)
    flush()
    return LoadedDocument(title, "markdown", sections)


def _plain(heading: str) -> str:
    heading = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[*_`]", "", heading).strip()


# --- html ----------------------------------------------------------------------------------

NOISE_TAGS = [
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
]


def load_html(text: str, title: str) -> LoadedDocument:
    """Main text only: drop navigation, chrome and scripts; keep headings as section boundaries."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    page_title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(NOISE_TAGS):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[str] = []
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "td"]):
        if element.find_parent(["p", "li", "pre", "blockquote", "td"]) is not None:
            continue
        content = element.get_text(" ", strip=True)
        if not content:
            continue
        if element.name and element.name[0] == "h" and element.name[1:].isdigit():
            lines.append(f"\n{'#' * int(element.name[1:])} {content}\n")
        elif element.name == "li":
            lines.append(f"- {content}")
        else:
            lines.append(f"\n{content}\n")
    document = load_markdown("\n".join(lines), page_title or title)
    document.kind = "html"
    return document


# --- pdf -----------------------------------------------------------------------------------


def load_pdf(data: bytes, title: str, filename: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise BadRequest(f"{filename}: not a readable PDF ({type(exc).__name__})", extra={"field": "file"}) from exc
    if reader.metadata and reader.metadata.title:
        title = str(reader.metadata.title)
    sections = [
        Section([title, f"Page {number}"], _tidy(text), f"page-{number}")
        for number, text in enumerate(pages, start=1)
        if text.strip()
    ]
    return LoadedDocument(title, "pdf", sections)


def _tidy(text: str) -> str:
    text = re.sub(r"-\n(\w)", r"\1", text)  # re-join hyphenated line breaks
    return re.sub(r"[ \t]+", " ", text).strip()


# --- text ----------------------------------------------------------------------------------


def load_text(text: str, title: str) -> LoadedDocument:
    return LoadedDocument(title, "text", [Section([title], text.strip(), None)])


# --- transcripts ---------------------------------------------------------------------------

TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
CUE_TIMING = re.compile(rf"^\s*({TIMESTAMP.pattern})\s*-->\s*({TIMESTAMP.pattern})")


def _seconds(stamp: str) -> float:
    match = TIMESTAMP.fullmatch(stamp.strip())
    if not match:
        raise ValueError(stamp)
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000


def _cues(text: str, kind: str, title: str) -> LoadedDocument:
    sections: list[Section] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        timing_index = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing_index is None:
            continue  # WEBVTT header, NOTE, STYLE or a cue number alone
        match = CUE_TIMING.match(lines[timing_index])
        if not match:
            raise BadRequest(f"{title}: cannot read the cue timing '{lines[timing_index].strip()}'")
        start, end = _seconds(match.group(1)), _seconds(match.group(6))
        words = " ".join(re.sub(r"<[^>]+>", "", line).strip() for line in lines[timing_index + 1 :]).strip()
        if words:
            sections.append(Section([title], words, None, start, end))
    if not sections:
        raise BadRequest(f"{title}: no cues found in this {kind.upper()} file")
    return LoadedDocument(title, kind, sections)


def load_vtt(text: str, title: str) -> LoadedDocument:
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise BadRequest(f"{title}: a WebVTT file must start with 'WEBVTT'")
    return _cues(text, "vtt", title)


def load_srt(text: str, title: str) -> LoadedDocument:
    return _cues(text, "srt", title)
