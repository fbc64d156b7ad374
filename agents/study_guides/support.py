"""Is an entry in the material it cites? Every entry is a lesson sentence the model picked by label
(`expand` turns picks into entries), so the checks ask what can still go wrong: lexically, the share of
the entry's content words (light stems) in its cited lessons' sentences (a guard should an entry be
written rather than picked, as an edit is), and whether a key term is named, as a phrase, in the
sentence given as its definition (the model may pair a term with the wrong sentence). The model's
verdict, where asked, is reported beside them, and any one saying no flags the entry."""

from __future__ import annotations

import re
from typing import Any

from agents.study_guides.state import Group
from core.text import stem_sequence, stems

SUBJECT_WORDS = 3  # "The 'C' parameter", "A decision tree": a term this near the start is the subject
INTRODUCERS = "called named as"  # "… are called categorical", "known as X"
COPULAS, ARTICLES = "is are", "a an the"  # "It is a one-hot encoding"
EXCERPT = re.compile(r"\[(\d+)\] \([^\n]*\)\n<material>\n(.*?)\n</material>", re.DOTALL)


def expand(picks: list[Any], group: Group) -> list[dict[str, Any]]:
    """The model's picks as document entries, in the lesson's words, each citing its lesson; a label
    the section does not have, or a sentence picked twice, is dropped."""
    blocks: list[dict[str, Any]] = []
    used: set[str] = set()
    for pick in picks:
        label = pick.get("sentence") if isinstance(pick, dict) else None
        found = group["sentences"].get(label) if isinstance(label, str) else None
        if found is None or label in used:
            continue
        used.add(str(label))
        term = str(pick.get("term", "")).strip()
        about = not _named(term, found["text"]) or _defines(term, found["text"])  # unnamed: flagged later
        if pick.get("type") == "term" and term and about:
            blocks.append({"type": "term", "term": term, "definition": found["text"], "cites": [found["n"]]})
        else:
            blocks.append({"type": "point", "text": found["text"], "cites": [found["n"]]})
    return blocks


def claim_text(block: dict[str, Any]) -> str:
    if block.get("type") == "term":
        return f"{block.get('term', '')}: {block.get('definition', '')}"
    return str(block.get("text", ""))


def excerpts(material: str) -> dict[int, str]:
    return {int(n): text for n, text in EXCERPT.findall(material)}


def lexical_support(block: dict[str, Any], material: str) -> float:
    by_source = excerpts(material)
    cited = " ".join(by_source.get(int(n), "") for n in block.get("cites", []))
    claim = stems(claim_text(block))
    if not claim:
        return 0.0
    return len(claim & stems(cited)) / len(claim)


def _phrase(text: str) -> list[str]:
    return [w.rstrip("s").rstrip("e") for w in stem_sequence(text)]  # "scale" meets "scales", "lag" "lags"


def _at(term: str, sentence: str) -> list[int]:
    """Where the term's words, in order, start in the sentence."""
    t, s = _phrase(term), _phrase(sentence)
    return [i for i in range(len(s) - len(t) + 1) if t and s[i : i + len(t)] == t]


def _named(term: str, sentence: str) -> bool:
    return bool(_at(term, sentence))


def _defines(term: str, sentence: str) -> bool:
    """The sentence is about the term: it names it first ("A pipeline is …", "The 'C' parameter
    refers to …") or introduces it ("… are called categorical", "It is a one-hot encoding")."""
    words = stem_sequence(sentence)  # the same positions as `_phrase`, without its matching strip
    introducers, copulas, articles = (set(stem_sequence(x)) for x in (INTRODUCERS, COPULAS, ARTICLES))
    return any(
        i <= SUBJECT_WORDS
        or words[i - 1] in introducers
        or (i >= 2 and words[i - 2] in copulas and words[i - 1] in articles)
        for i in _at(term, sentence)
    )


def term_named(block: dict[str, Any]) -> bool:
    """A key term must be named in its definition sentence (its words in order, light stems, so
    "major scales" meets "a major scale"): a sentence that never names it defines something else.
    A term the sentence names but is not about became a plain point in `expand`."""
    if block.get("type") != "term":
        return True
    return _named(str(block.get("term", "")), str(block.get("definition", "")))


def check_claims(
    blocks: list[dict[str, Any]], material: str, threshold: float, verdicts: list[bool | None] | None
) -> list[dict[str, Any]]:
    report = []
    for i, block in enumerate(blocks):
        lexical = round(lexical_support(block, material), 3)
        model = verdicts[i] if verdicts is not None and i < len(verdicts) else None
        report.append(
            {
                "claim": claim_text(block),
                "cites": list(block.get("cites", [])),
                "lexical": lexical,
                "model": model,
                "term_named": term_named(block),
                "supported": lexical >= threshold and model is not False and term_named(block),
            }
        )
    return report
