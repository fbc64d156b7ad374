"""Writing one lesson: find its sources (passages of the source course, kept only when they share the
lesson's words), write the markdown with one call, cite the sentences a source plainly holds that
the model left uncited, then check every citation lexically — a marker whose sentence its source does
not support is dropped and counted — and say where the text came from: a Sources list of lesson
links, or a note that it is the model's own and needs checking."""

from __future__ import annotations

import re
from typing import Any

from agents.course_builder import prompts
from agents.course_builder.configuration import Configuration
from agents.drafts import Bindings, drop_repeats
from core.errors import AppError
from core.text import stems

MARK = re.compile(r"[ \t]?\[(\d{1,2})\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
FENCE = re.compile(r"^```(?:markdown|md)?\s*\n(.*?)\n```\s*$", re.DOTALL)
OWN_NOTE = (
    "> *Drafted by the assistant from general knowledge, not from your sources: check it before you publish.*\n\n"
)
MIN_SHARED_WORDS = 2
ATTRIBUTE_BAR = 0.6  # a sentence the model did not cite gets a source holding this share of its words


def share(sentence: str, source: str) -> float:
    words = stems(sentence)
    return len(words & stems(source)) / len(words) if words else 0.0


def find_sources(b: Bindings, conf: Configuration, course_id: str | None, query: str) -> list[dict[str, Any]]:
    """The source course's passages that share at least two content words with the lesson's title and
    objectives; none when there is no source course or no search in this process."""
    if not course_id:
        return []
    try:
        found = b.registry.invoke(
            "search_course_content",
            b.tools,
            {"query": query[:500], "course_id": course_id, "limit": conf.sources_per_lesson},
        )
    except AppError:
        return []
    wanted = stems(query)
    return [
        {**p, "text": p["text"][: conf.source_chars]}
        for p in found["passages"]
        if len(wanted & stems(p["text"])) >= MIN_SHARED_WORDS
    ]


def cite_block(passages: list[dict[str, Any]]) -> str:
    if not passages:
        return ""
    numbered = "\n".join(
        f"[{n}] ({p['lesson_title']})\n<source>\n{p['text']}\n</source>" for n, p in enumerate(passages, 1)
    )
    return prompts.CITE.format(passages=numbered)


def _sentence_before(text: str, end: int) -> str:
    pieces = [p for p in SENTENCE_END.split(text[:end].rstrip()) if p.strip()]
    return pieces[-1] if pieces else ""


def attribute(text: str, passages: list[dict[str, Any]], bar: float, min_words: int = 4) -> tuple[str, int]:
    """Cite the sentences the model left uncited that one source plainly holds: at least `bar` of a
    sentence's content words (and `min_words` of them) in one passage. The small model rarely writes
    the markers itself; what it takes from a source is still found by its words. Headings are skipped."""
    if not passages:
        return text, 0
    added = 0
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("#") or MARK.search(line):
            lines.append(line)
            continue
        pieces = re.split(r"(?<=[.!?])(\s+)", line)
        for i, piece in enumerate(pieces):
            words = stems(piece)
            if i % 2 or len(words) < min_words:
                continue
            scores = [share(piece, p["text"]) for p in passages]
            best = max(range(len(passages)), key=lambda k: scores[k])
            if scores[best] >= bar:
                end = len(piece.rstrip(".!?"))
                pieces[i] = f"{piece[:end]} [{best + 1}]{piece[end:]}"
                added += 1
        lines.append("".join(pieces))
    return "\n".join(lines), added


def check_citations(text: str, passages: list[dict[str, Any]], threshold: float) -> tuple[str, dict[str, Any]]:
    """Keep each [n] whose sentence source n supports; drop the rest (and any n with no source)."""
    out, pos, used = [], 0, set()
    supported = unsupported = 0
    for match in MARK.finditer(text):
        out.append(text[pos : match.start()])
        n = int(match.group(1))
        ok = (
            1 <= n <= len(passages)
            and share(_sentence_before(text, match.start()), passages[n - 1]["text"]) >= threshold
        )
        if ok:
            out.append(f" [{n}]")
            used.add(n)
            supported += 1
        else:
            unsupported += 1
        pos = match.end()
    out.append(text[pos:])
    return "".join(out), {"cited": supported, "unsupported": unsupported, "used": sorted(used)}


def unfence(reply: str) -> str:
    """The reply without the ```markdown fence a model sometimes wraps it in."""
    text = reply.strip()
    fenced = FENCE.match(text)
    return fenced.group(1).strip() if fenced else text


def finish_body(reply: str, title: str, passages: list[dict[str, Any]], threshold: float) -> tuple[str, dict[str, Any]]:
    """The lesson's markdown as stored, and what the check found."""
    text = re.sub(
        rf"^#\s+{re.escape(title)}\s*\n+", "", unfence(reply), flags=re.IGNORECASE
    )  # the page shows the title
    text, repeats = drop_repeats(text)
    text, attributed = attribute(text, passages, ATTRIBUTE_BAR)
    text, report = check_citations(text, passages, threshold)
    report["attributed"] = attributed
    report["repeats_dropped"] = repeats
    if report["used"]:
        lines = [f"{n}. [{passages[n - 1]['lesson_title']}]({passages[n - 1]['url']})" for n in report["used"]]
        text = text.rstrip() + "\n\n## Sources\n\n" + "\n".join(lines) + "\n"
        report["own"] = False
    else:
        text = OWN_NOTE + text.rstrip() + "\n"
        report["own"] = True
    return text, report
