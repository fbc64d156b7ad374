"""Is a claim in the material it cites? Lexically: the share of the claim's content words (light
stems) found in the cited lessons' excerpts; a claim under the threshold is unsupported, and so is a key
term its lessons never name as a phrase. The model's verdict, where asked, is reported beside it, and
any one saying no flags the claim."""

from __future__ import annotations

import re
from typing import Any

from agents.text import stem_sequence, stems

EXCERPT = re.compile(r"\[(\d+)\] \([^\n]*\)\n<material>\n(.*?)\n</material>", re.DOTALL)


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


def term_named(block: dict[str, Any], material: str) -> bool:
    """A key term must be named as such in the lessons it cites (its words in order, light stems, so
    "major scales" meets "a major scale"): its words could all be in the text apart ("decision" here,
    "trail" there) and still be a term the course never uses."""
    if block.get("type") != "term":
        return True
    by_source = excerpts(material)
    cited = " ".join(by_source.get(int(n), "") for n in block.get("cites", []))
    term = [w.rstrip("e") for w in stem_sequence(str(block.get("term", "")))]  # "scale" meets "scales"
    text = [w.rstrip("e") for w in stem_sequence(cited)]
    return bool(term) and any(text[i : i + len(term)] == term for i in range(len(text) - len(term) + 1))


def check_claims(
    blocks: list[dict[str, Any]], material: str, threshold: float, verdicts: list[bool] | None
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
                "term_named": term_named(block, material),
                "supported": lexical >= threshold and model is not False and term_named(block, material),
            }
        )
    return report
