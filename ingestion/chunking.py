"""Heading-aware, token-bounded chunks.

Each chunk stays inside one section, carries the lesson title and heading path as a first line (so
the embedding and BM25 both see the context), and is at most `max_tokens` of the embedding model's
own word-pieces, counted with its tokenizer. Transcript cues are merged in order up to the same
bound and keep the first cue's start and the last cue's end.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingestion.loaders import LoadedDocument, Section

TokenCounter = Callable[[str], int]
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
DEFAULT_MAX_TOKENS = 200


@dataclass(frozen=True)
class Chunk:
    position: int
    heading_path: tuple[str, ...]
    anchor: str | None
    body: str
    embed_text: str
    start_s: float | None = None
    end_s: float | None = None

    def content_hash(self, model_id: str) -> str:
        return hashlib.sha256(f"{model_id}\n{self.embed_text}".encode()).hexdigest()


def context_line(path: tuple[str, ...]) -> str:
    return " > ".join(part for part in path if part)


IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
BARE_URL = re.compile(r"https?://\S+")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
LIQUID = re.compile(r"\{[{%].*?[%}]\}")


def clean(text: str) -> str:
    """Markdown noise out (image and link targets, tags, template code): it costs tokens and
    carries no meaning for search."""
    text = IMAGE.sub(lambda m: m.group(1), text)
    text = LINK.sub(lambda m: m.group(1), text)
    text = LIQUID.sub(" ", text)
    text = HTML_TAG.sub(" ", text)
    text = BARE_URL.sub(" ", text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _pieces(text: str, budget: int, count: TokenCounter) -> Iterator[str]:
    """Paragraphs, then sentences, then words: the largest units that fit the budget."""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if count(paragraph) <= budget:
            yield paragraph
            continue
        for sentence in SENTENCE.split(paragraph):
            if count(sentence) <= budget:
                yield sentence
                continue
            words: list[str] = []
            for word in sentence.split():
                if words and count(" ".join([*words, word])) > budget:
                    yield " ".join(words)
                    words = []
                words.append(word)
            if words:
                yield " ".join(words)


def chunk_document(
    document: LoadedDocument, count: TokenCounter, max_tokens: int = DEFAULT_MAX_TOKENS, pack: bool = True
) -> list[Chunk]:
    """With `pack`, small neighbouring sections share a chunk (each keeps its heading as a line);
    a chunk is cited at the first heading it contains."""
    count = functools.lru_cache(maxsize=8192)(count)  # pieces are measured more than once
    sections = _merge_cues(document.sections, count, max_tokens) if document.is_transcript else document.sections
    chunks: list[Chunk] = []
    start: Section | None = None
    parts: list[str] = []
    used = 0
    budget = max_tokens

    def flush() -> None:
        nonlocal parts, used, start
        if parts and start is not None:
            header = context_line(tuple(start.heading_path))
            chunks.append(_make(len(chunks), tuple(start.heading_path), start, header, "\n\n".join(parts)))
        parts, used, start = [], 0, None

    for section in sections:
        header = context_line(tuple(section.heading_path))
        section_budget = max(32, max_tokens - count(header) - 2)
        if not pack or document.is_transcript:
            flush()
        pieces = list(_pieces(clean(section.text), section_budget, count))
        if not pieces:
            continue
        if start is not None:
            title_line = section.heading_path[-1] if len(section.heading_path) > 1 else ""
            lead = [title_line] if title_line else []
            needed = sum(count(p) for p in [*lead, *pieces])
            if used + needed > budget:
                flush()
            else:
                parts.extend(lead)
                used += count(title_line) if title_line else 0
        if start is None:
            start, budget = section, section_budget
        for piece in pieces:
            size = count(piece)
            if parts and used + size > budget:
                flush()
                start, budget = section, section_budget
            parts.append(piece)
            used += size
    flush()
    return chunks


def _make(position: int, path: tuple[str, ...], section: Section, header: str, body: str) -> Chunk:
    return Chunk(
        position=position,
        heading_path=path,
        anchor=section.anchor,
        body=body,
        embed_text=f"{header}\n{body}" if header else body,
        start_s=section.start_s,
        end_s=section.end_s,
    )


def _merge_cues(cues: list[Section], count: TokenCounter, max_tokens: int) -> list[Section]:
    merged: list[Section] = []
    budget = max_tokens - 24
    for cue in cues:
        last = merged[-1] if merged else None
        if last is not None and count(last.text) + count(cue.text) <= budget:
            last.text = f"{last.text} {cue.text}"
            last.end_s = cue.end_s
        else:
            merged.append(Section(list(cue.heading_path), cue.text, _time_anchor(cue.start_s), cue.start_s, cue.end_s))
    return merged


def _time_anchor(seconds: float | None) -> str | None:
    return None if seconds is None else f"t={int(seconds)}"
