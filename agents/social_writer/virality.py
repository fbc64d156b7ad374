"""A post's virality score, and the reasons for it: deterministic features a person can check and act
on, and (when asked) a rubric judge's verdict beside them.

- hook: the opening sentence is short and pulls (a question, a number, "you", a bold claim of the course's);
- length: the post fits its platform (an X thread of 3-8 posts under 280 characters each, a LinkedIn
  post of 600-1,300 characters, an Instagram caption of 100-400 characters with 3-10 hashtags, a
  TikTok/Reels script of 70-160 spoken words);
- specificity: it names what the course teaches (the words of its titles, numbers);
- call to action: it asks for something (enroll, follow, comment, save, the link);
- readability: short sentences of common words.

Each feature is 0..1 with a sentence that says why; the score is their weighted sum out of 100 (with
the judge, 80% features and 20% the judge's 1-5). The weights favour the hook and the length: what
platforms' own guides name first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import stems

PLATFORMS = ("x_thread", "linkedin", "instagram", "tiktok")
WEIGHTS = {"hook": 0.3, "length": 0.25, "specificity": 0.2, "cta": 0.15, "readability": 0.1}
CTA = re.compile(
    r"\b(enrol+|sign up|join|link in bio|follow|comment|save this|share (?:this|it)|subscribe|check out"
    r"|start (?:now|today|learning)|grab|get (?:it|the course|started)|dm me|reply)\b",
    re.IGNORECASE,
)
HOOK = re.compile(
    r"(\?|\d|\byou\b|\byour\b|^(stop|most|here'?s|the secret|why|how|what|nobody|everyone))", re.IGNORECASE
)
HASHTAG = re.compile(r"#\w+")
OPENING = re.compile(r"^.+?[.!?](?=\s|$)")


@dataclass(frozen=True)
class Feature:
    name: str
    value: float  # 0..1
    reason: str


@dataclass(frozen=True)
class Score:
    total: int  # 0..100
    features: list[Feature]
    judge: int | None = None  # 1..5

    def reasons(self) -> list[str]:
        return [f"{f.name}: {f.reason}" for f in self.features] + (
            [f"judge: {self.judge}/5"] if self.judge is not None else []
        )


def _opening(text: str) -> str:
    """What a reader sees first: the first line's first sentence (a one-paragraph post's first line is
    the whole post, but a feed shows its first sentence before the fold)."""
    first = text.strip().split("\n", 1)[0].strip()
    sentence = OPENING.match(first)
    return sentence.group(0) if sentence else first


def _hook(text: str) -> Feature:
    first = _opening(text)
    if not first:
        return Feature("hook", 0.0, "there is no opening line")
    short = len(first) <= 120
    pulls = bool(HOOK.search(first))
    value = (0.5 if short else 0.2) + (0.5 if pulls else 0.0)
    why = ("short" if short else f"long ({len(first)} characters)") + (
        ", and it pulls (a question, a number or 'you')"
        if pulls
        else ", but it does not pull: ask, name a number or say 'you'"
    )
    return Feature("hook", value, f"the opening sentence is {why}")


def _fit(length: float, low: float, high: float) -> float:
    if low <= length <= high:
        return 1.0
    gap = (low - length) / low if length < low else (length - high) / high
    return max(0.0, 1.0 - gap)


def _length(platform: str, parts: list[str]) -> Feature:
    text = "\n".join(parts)
    if platform == "x_thread":
        over = [n for n, p in enumerate(parts, 1) if len(p) > 280]
        value = _fit(len(parts), 3, 8) * (0.3 if over else 1.0)
        why = f"{len(parts)} posts" + (f"; post {over[0]} is over 280 characters" if over else ", each under 280")
        return Feature("length", value, why + " (3-8 fit a thread)")
    if platform == "linkedin":
        return Feature("length", _fit(len(text), 600, 1300), f"{len(text)} characters (600-1,300 fit LinkedIn)")
    if platform == "instagram":
        tags = len(HASHTAG.findall(text))
        words = len(HASHTAG.sub("", text))
        value = _fit(words, 100, 400) * (1.0 if 3 <= tags <= 10 else 0.6)
        return Feature("length", value, f"{words} characters and {tags} hashtags (100-400 and 3-10 fit Instagram)")
    spoken = len(text.split())
    return Feature("length", _fit(spoken, 70, 160), f"{spoken} spoken words (70-160 fit 30-60 seconds)")


def _specific(text: str, topics: set[str]) -> Feature:
    named = stems(text) & topics
    numbers = len(re.findall(r"\b\d+\b", text))
    value = min(1.0, len(named) / 4 + 0.15 * numbers)
    shown = ", ".join(sorted(named)[:4]) or "none of its topics"
    return Feature("specificity", value, f"names {len(named)} of the course's topics ({shown})")


def _cta(text: str) -> Feature:
    asked = CTA.search(text)
    if asked:
        return Feature("cta", 1.0, f"it asks the reader to act ('{asked.group(0)}')")
    return Feature("cta", 0.0, "it asks for nothing: end with what to do (enroll, follow, comment)")


def _readable(text: str) -> Feature:
    sentences = [s for s in re.split(r"[.!?\n]+", HASHTAG.sub("", text)) if s.strip()]
    words = [w for s in sentences for w in s.split()]
    if not words:
        return Feature("readability", 0.0, "no sentences")
    per_sentence = len(words) / len(sentences)
    long_words = sum(len(w.strip(",;:'\"()")) > 12 for w in words) / len(words)
    value = _fit(per_sentence, 4, 18) * (1.0 - min(0.5, long_words * 3))
    return Feature("readability", value, f"{per_sentence:.0f} words a sentence")


LENGTH_TARGET = {
    "x_thread": "3 to 6 posts, each under 280 characters",
    "linkedin": "600 to 1,300 characters",
    "instagram": "100 to 400 characters, then 3 to 8 hashtags",
    "tiktok": "70 to 160 spoken words",
}


def targets(platform: str, made: Score, topics: set[str]) -> list[str]:
    """What a revision must do, one order per weak feature (under 0.8): an instruction the model can
    follow without the weak draft in front of it (shown its own draft, the local model wrote it again)."""
    orders = {
        "hook": "Open with a short question, a number or 'you'.",
        "length": f"Make it {LENGTH_TARGET[platform]}.",
        "specificity": "Name at least four of these topics: " + ", ".join(sorted(topics)[:12]) + ".",
        "cta": "End with what to do: 'Enroll today' or 'Follow for more'.",
        "readability": "Use short sentences of everyday words.",
    }
    return [orders[f.name] for f in made.features if f.value < 0.8]


def score(platform: str, parts: list[str], topics: set[str], judge: int | None = None) -> Score:
    """The post's score (its parts: a thread's posts, or one element for the rest)."""
    text = "\n".join(parts)
    features = [_hook(parts[0] if parts else ""), _length(platform, parts), _specific(text, topics), _cta(text),
                _readable(text)]  # fmt: skip
    weighted = sum(WEIGHTS[f.name] * f.value for f in features)
    total = weighted * 100 if judge is None else weighted * 80 + (judge - 1) / 4 * 20
    return Score(round(total), features, judge)
