"""Generate → score → revise: one constrained-JSON draft per platform (bounded by the platform's own
shape, so no reply outgrows its token budget and one that fails loses only its post), each scored
(the features of `virality.py` and a rubric judge's 1-5 in one call for all), those under the bar
written again once, told their reasons, the better of the two kept; then the claim check on all."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.drafts import bound, checked_claims, course_material, json_reply, last_request, say
from agents.event_models import MessageDelta
from agents.social_writer import prompts
from agents.social_writer.state import SocialState
from agents.social_writer.virality import PLATFORMS, score, targets
from core.text import stems

BAR = 70  # posts scoring under this are revised once
ASKED = {"x_thread": r"\b(x|twitter|thread|tweet)", "linkedin": r"linkedin", "instagram": r"instagram|insta\b|\big\b",
         "tiktok": r"tiktok|reels?|shorts"}  # fmt: skip
DEFAULT = ["x_thread", "linkedin", "instagram"]
# Each platform's post as the schema bounds it: parts (least, most) and characters a part. A reply cut
# at its token budget is no reply at all, so each budget covers its longest post with room to spare.
SHAPE = {"x_thread": (3, 8, 280), "linkedin": (1, 1, 1300), "instagram": (1, 1, 600), "tiktok": (1, 6, 300)}
BUDGET = {"x_thread": 650, "linkedin": 450, "instagram": 400, "tiktok": 500}  # emoji take several tokens


def platforms_asked(message: str) -> list[str]:
    named = [p for p in PLATFORMS if re.search(ASKED[p], message, re.IGNORECASE)]
    return named or DEFAULT


def post_schema(platform: str) -> dict[str, Any]:
    """One post of the platform, as `{"posts": [post]}`."""
    least, most, chars = SHAPE[platform]
    part = {"type": "string", "minLength": 10, "maxLength": chars}
    post = {"type": "object", "properties": {"platform": {"type": "string", "enum": [platform]},
            "parts": {"type": "array", "items": part, "minItems": least, "maxItems": most}},
            "required": ["platform", "parts"], "additionalProperties": False}  # fmt: skip
    return {"type": "object", "properties": {"posts": {"type": "array", "items": post, "minItems": 1, "maxItems": 1}},
            "required": ["posts"], "additionalProperties": False}  # fmt: skip


def judge_schema(n: int) -> dict[str, Any]:
    item = {"type": "integer", "minimum": 1, "maximum": 5}
    return {"type": "object", "properties": {"scores": {"type": "array", "items": item, "minItems": n, "maxItems": n}},
            "required": ["scores"], "additionalProperties": False}  # fmt: skip


GENERIC_TITLE_WORDS = stems("introduction introductions basic basics part parts overview more about what how")


def topics_of(outline: dict[str, Any]) -> set[str]:
    """What the course teaches, by name: the stems of its own, its modules' and its lessons' titles
    (the lesson text's every word made any post 'specific': 85 topics named by a post of greetings)."""
    titles = [outline["title"], *(m["title"] for m in outline["modules"]),
              *(x["title"] for m in outline["modules"] for x in m["lessons"])]  # fmt: skip
    return stems(" ".join(titles)) - GENERIC_TITLE_WORDS


def gather(state: SocialState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    if b.course_id is None:
        return say("Choose a course first: posts promote one course.") | {"mode": "ended"}
    brief = last_request(dict(state))
    outline, material = course_material(b, 4, 400)
    if not material:
        return say("This course has no lesson text yet, so there is nothing a post could promise.") | {"mode": "ended"}
    platforms = platforms_asked(brief)
    b.emit(MessageDelta(text=f"Writing {len(platforms)} posts for {outline['title']}.\n"))
    topics = sorted(topics_of(outline))
    return {"brief": brief, "platforms": platforms, "course_title": outline["title"], "material": "\n".join(material),
            "topics": topics, "posts": [], "claims": [], "mode": "drafting", "note": "", "saved": None}  # fmt: skip


def _judge(state: SocialState, config: RunnableConfig, posts: list[dict[str, Any]]) -> list[int | None]:
    b = bound(config)
    listed = "\n\n".join(f"[{n}] {p['platform']}:\n" + "\n".join(p["parts"]) for n, p in enumerate(posts, 1))
    got = json_reply(b.chat, prompts.JUDGE, listed, judge_schema(len(posts)), 60)
    scores = got.get("scores") if isinstance(got.get("scores"), list) else None
    return list(scores) if scores and len(scores) == len(posts) else [None] * len(posts)


def _scored(state: SocialState, posts: list[dict[str, Any]], judged: list[int | None]) -> list[dict[str, Any]]:
    topics = set(state["topics"])
    out = []
    for post, judge in zip(posts, judged, strict=True):
        made = score(post["platform"], post["parts"], topics, judge)
        out.append({**post, "score": made.total, "reasons": made.reasons()})
    return out


def draft(state: SocialState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    posts, missed = [], []
    for platform in state["platforms"]:
        prompt = prompts.draft_prompt(
            state["course_title"], state["material"], state["brief"], platform, state.get("feedback", [])
        )
        drafted = json_reply(b.chat, prompts.SYSTEM, prompt, post_schema(platform), BUDGET[platform])
        made = [p for p in drafted.get("posts", []) if p.get("parts")][:1]
        posts += made
        missed += [] if made else [platform]
    if not posts:
        return say("The model did not write usable posts; nothing was saved. Try again.") | {"mode": "ended"}
    scored = _scored(state, posts, _judge(state, config, posts))
    b.emit(MessageDelta(text="Scored: " + ", ".join(f"{p['platform']} {p['score']}" for p in scored) + ".\n"))
    note = f"The model did not write a usable post for {', '.join(missed)}; ask again for it." if missed else ""
    return {"posts": [{**p, "first_score": p["score"]} for p in scored], "mode": "drafted", "edited": False,
            "note": note}  # fmt: skip


def edited_posts(state: SocialState, given: object) -> list[dict[str, Any]] | None:
    """The creator's edit of the posts, scored on the features (no judge: it is their own words); None
    when it is not a list of posts of known platforms with words in every part."""
    if not isinstance(given, list) or not given:
        return None
    posts = []
    for n, post in enumerate(given):
        if not isinstance(post, dict):
            return None
        platform, parts = post.get("platform"), post.get("parts")
        if platform not in PLATFORMS or not isinstance(parts, list) or not parts:
            return None
        if not all(isinstance(p, str) and p.strip() for p in parts):
            return None
        [scored] = _scored(state, [{"platform": platform, "parts": parts}], [None])
        before = state["posts"][n]["first_score"] if n < len(state["posts"]) else scored["score"]
        posts.append({**scored, "first_score": before})
    return posts


def revise(state: SocialState, config: RunnableConfig) -> dict[str, Any]:
    """Each post whose features score under the bar written again once, told its reasons; the better
    one kept. The features decide, not the judge: on the local model it gave every post 5 of 5."""
    b = bound(config)
    posts = list(state["posts"])
    topics = set(state["topics"])
    low = [n for n, p in enumerate(posts) if score(p["platform"], p["parts"], topics).total < BAR]
    for n in low:
        post = posts[n]
        orders = targets(post["platform"], score(post["platform"], post["parts"], topics), topics)
        prompt = prompts.revise_prompt(state["course_title"], state["material"], post["platform"], orders)
        again = json_reply(b.chat, prompts.SYSTEM, prompt, post_schema(post["platform"]), BUDGET[post["platform"]])
        tried = [p for p in again.get("posts", []) if p.get("parts")]
        if not tried:
            posts[n] = {**post, "revision": {"score": None, "kept": False}}  # no usable reply
            continue
        [rescored] = _scored(state, tried[:1], [None])
        judged_free = score(post["platform"], post["parts"], topics).total
        kept = rescored["score"] > judged_free
        outcome = {"revision": {"score": rescored["score"], "kept": kept, "was": judged_free}}
        posts[n] = {**rescored, "first_score": post["first_score"], **outcome} if kept else {**post, **outcome}
    if low:
        b.emit(MessageDelta(text=f"Revised {len(low)} post(s) that scored under {BAR}.\n"))
    return {"posts": posts, "mode": "revised"}


def check(state: SocialState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    text = "\n".join(part for p in state["posts"] for part in p["parts"])
    claims = checked_claims(b, text)
    return {"claims": claims, "mode": "checked"}
