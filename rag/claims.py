"""The claim check: is each promise a piece of marketing makes ("you will learn X", "includes Y",
"12 lessons") held by the course it sells?

A promise is a sentence that says what the buyer gets or learns (its verbs and phrases, `PROMISE`)
or how much (`COUNT`); the rest of the text (a call to action, a greeting) promises nothing and is
not checked. A topic promise is matched against the course's own passages (hybrid search, the
course only): it is held when the lesson nearest to it says the same things, measured two ways that
fail differently: the share of the promise's topic words (its content words less the marketing
ones) found in the nearest passages (one promise may name the topics of several lessons: "gain
staging, monitoring and EQ"), and the meaning-level similarity of promise and passage (the course's
embedding model). A count is checked against the course's own numbers (lessons, modules); a count
the course cannot show (hours of video, exercises) is unsupported: nothing backs it. Every verdict
names the nearest lesson, so the creator sees where the course comes closest.

The thresholds were set on a committed set of labelled sentences about the demo course
(`evals/data/claims-open-music-theory.jsonl`; `academy eval claims`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.text import stems
from rag.embeddings import Matrix
from rag.retriever import Passage

PROMISE = re.compile(
    r"\b(you(?:'ll| will| can)|learn|master|discover|be able to|how to|includ|contain|comes? with|cover|teach"
    r"|explain|walks? you|guide|step[- ]by[- ]step|understand|analy[sz]|compos|writ|build|creat|practi[cs]|get)",
    re.IGNORECASE,
)
COUNT = re.compile(
    r"\b(?:(over|more than|at least|nearly|almost)\s+)?(\d[\d,]*)(\+)?\s*(lessons?|modules?|chapters?|units?|hours?"
    r"|videos?|exercises?|quizzes?|worksheets?|examples?|projects?|downloads?)\b",
    re.IGNORECASE,
)
NOT_A_CLAIM = re.compile(  # calls to action, greetings, sign-offs: they promise nothing about the course
    r"^(enrol|enroll|join|sign up|buy|grab|click|reply|see you|hi\b|hello|hey|dear|thanks|thank you|cheers|"
    r"don't miss|do not miss|hurry|p\.?s\.?|save|get started|start today|ready\b|questions\?|talk soon|"
    r"why\b|what\b|when\b|where\b|who\b|ever\b|let'?s\b|don'?t worry|welcome\b)",  # a question is a hook
    re.IGNORECASE,
)
TAGS_ONLY = re.compile(r"(?:#\w+\s*)+")  # a line of hashtags labels a post; it promises nothing
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+\s*(?:[-*•]\s*)?")
FLUFF = stems(
    "you will learn master discover able how includes included including contains comes cover covers "
    "teach teaches explain explains walk walks through guide guides step understand everything need know "
    "course courses lesson lessons module modules easy fast simple complete ultimate today your own get "
    "start real practical hands skill skills deep dive inside join enroll now journey level next way ways "
    "better best great amazing powerful proven secret secrets finally confidence confident tips tricks "
    "also even more just like make makes making using use well whole full every each many much plus will "
    "create creating build building write writing compose composing practice practise analyze analyse "
    "who what why where which they them their there these those then than been being our ours about "
    "all chapter chapters concept concepts move moving fun engaging sure worry perfect resource textbook book "
    "anyone everyone beginner beginners experienced looking look deepen gateway intricacies journey"
)
SUPPORTED_SHARE = 0.75  # topic words in the nearest passages together: held on words alone
SUPPORTED_SIMILARITY = 0.55  # meaning-level similarity: held on meaning alone
BOTH_SHARE, BOTH_SIMILARITY = 0.6, 0.42  # or held on both together
COUNTABLE = {"lesson": "lessons", "module": "modules", "chapter": "modules", "unit": "modules"}

Search = Callable[[str], list[Passage]]
Embed = Callable[[Sequence[str]], Matrix]


@dataclass(frozen=True)
class ClaimVerdict:
    text: str
    kind: str  # "topic" or "count"
    supported: bool
    reason: str
    lesson_id: str | None = None
    lesson_title: str | None = None
    url: str | None = None
    evidence: str | None = None  # the nearest passage, shortened
    share: float | None = None
    similarity: float | None = None


def promises(text: str) -> list[str]:
    """The sentences of `text` that promise something (bullets count as sentences): a count, a
    promise phrase, or a statement naming at least three topic words ("Design your own synth
    patches"; a two-word subject line such as "Open endings" is a hook); not a question (a hook),
    a call to action, a greeting or a sign-off."""
    found = []
    for part in SENTENCE.split(text):
        sentence = part.strip(" -*•\t")
        if len(sentence) < 8 or sentence.endswith("?") or NOT_A_CLAIM.match(sentence) or TAGS_ONLY.fullmatch(sentence):
            continue
        if COUNT.search(sentence) or PROMISE.search(sentence) or len(topic(sentence)) >= 3:
            found.append(sentence)
    return found


def topic(sentence: str) -> set[str]:
    return stems(COUNT.sub(" ", sentence)) - FLUFF


def _cosine(a: Any, b: Any) -> float:
    dot = float(sum(float(x) * float(y) for x, y in zip(a, b, strict=False)))
    norm = float(sum(float(x) ** 2 for x in a)) ** 0.5 * float(sum(float(y) ** 2 for y in b)) ** 0.5
    return dot / norm if norm else 0.0


def _short(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def check_count(sentence: str, counts: dict[str, int]) -> ClaimVerdict | None:
    match = COUNT.search(sentence)
    if match is None:
        return None
    comparator, number, plus, unit = match.groups()
    wanted = int(number.replace(",", ""))
    key = COUNTABLE.get(unit.lower().rstrip("s"))
    if key is None or key not in counts:
        return ClaimVerdict(sentence, "count", False, f"the course has no {unit.lower()} to count: nothing backs it")
    have = counts[key]
    at_least = bool(plus) or (comparator or "").lower() in ("over", "more than", "at least")
    nearly = (comparator or "").lower() in ("nearly", "almost")
    held = have >= wanted if at_least else (wanted * 0.9 <= have <= wanted if nearly else have == wanted)
    reason = f"the course has {have} {key}" + ("" if held else f", not {match.group(0).strip()}")
    return ClaimVerdict(sentence, "count", held, reason)


def check_topic(sentence: str, search: Search, embed: Embed) -> ClaimVerdict:
    words = topic(sentence)
    if not words:
        return ClaimVerdict(sentence, "topic", True, "promises nothing specific to check")
    passages = search(sentence)
    if not passages:
        return ClaimVerdict(sentence, "topic", False, "nothing in the course is near it")
    vectors = embed([sentence, *[p.text[:1500] for p in passages]])
    best: tuple[float, float, Passage] | None = None
    for passage, vector in zip(passages, vectors[1:], strict=True):
        share = len(words & stems(passage.citation.lesson_title + " " + passage.text)) / len(words)
        similarity = _cosine(vectors[0], vector)
        if best is None or share + similarity > best[0] + best[1]:
            best = (share, similarity, passage)
    assert best is not None
    share, similarity, passage = best
    covered = set().union(*(stems(p.citation.lesson_title + " " + p.text) for p in passages))
    spread = len(words & covered) / len(words)  # a promise naming topics of several lessons
    held = (
        spread >= SUPPORTED_SHARE
        or similarity >= SUPPORTED_SIMILARITY
        or (share >= BOTH_SHARE and similarity >= BOTH_SIMILARITY)
    )
    missing = sorted(words - covered)
    reason = (
        f"held by '{passage.citation.lesson_title}'"
        if held
        else f"not in the course: the nearest lessons, '{passage.citation.lesson_title}' first, do not cover "
        + ", ".join(missing[:5])
    )
    return ClaimVerdict(
        sentence, "topic", held, reason, passage.citation.lesson_id, passage.citation.lesson_title,
        passage.citation.url, _short(passage.text), round(share, 3), round(similarity, 3),
    )  # fmt: skip


def check(text: str, search: Search, embed: Embed, counts: dict[str, int]) -> list[ClaimVerdict]:
    """A verdict for every promise in the text, in order, each once (a creator confirms a promise once
    however often the copy repeats it)."""
    verdicts = []
    for sentence in dict.fromkeys(promises(text)):
        counted = check_count(sentence, counts)
        verdicts.append(counted if counted is not None else check_topic(sentence, search, embed))
    return verdicts
