"""Generate and check: gather the course through its tools, draft each section with one
constrained-JSON call that picks among that section's lesson sentences, check every entry, and draft
again the sections with an entry the check flagged, keeping each section's best draft."""

from __future__ import annotations

from typing import Any, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from agents import style_notes
from agents.drafts import bound, json_reply, last_request, say
from agents.event_models import MessageDelta
from agents.study_guides import prompts
from agents.study_guides.configuration import Configuration, Kind
from agents.study_guides.material import build_group, group_modules
from agents.study_guides.schemas import VERDICT, draft_schema, draft_tokens, max_chars
from agents.study_guides.state import StudyState
from agents.study_guides.support import check_claims, expand

LABEL = {"cheat_sheet": "cheat sheet", "reference_guide": "reference guide"}
TITLE_CHARS = 200  # a document's source title; a lesson title may be longer (300)


def kind_of(message: str) -> Kind:
    return "reference_guide" if "guide" in message.lower() or "reference" in message.lower() else "cheat_sheet"


def gather(state: StudyState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    if b.course_id is None:
        return say("Choose a course first: a study guide is made from one course's lessons.")
    kind = kind_of(last_request(dict(state)))
    outline = b.registry.invoke("get_course_outline", b.tools, {"course_id": b.course_id})
    sources: list[dict[str, Any]] = []
    bodies: dict[int, str] = {}
    modules: list[tuple[str, list[int]]] = []
    for module in outline["modules"]:
        numbers = []
        for lesson in module["lessons"]:
            body = b.registry.invoke("read_lesson", b.tools, {"lesson_id": lesson["lesson_id"]})["body_md"]
            if not body.strip():
                continue
            n = len(sources) + 1
            sources.append({"n": n, "lesson_id": lesson["lesson_id"], "title": lesson["title"][:TITLE_CHARS]})
            bodies[n] = body
            numbers.append(n)
        modules.append((module["title"], numbers))
    if not sources:
        return say("This course has no lesson text yet, so there is nothing to summarise.")
    titles = {s["n"]: s["title"] for s in sources}
    groups = [
        build_group(heading, numbers, titles, bodies, conf.material_chars, max_chars(kind))
        for heading, numbers in group_modules(modules, conf.sections(kind))
    ]
    groups = [g for g in groups if g["sources"]]
    b.emit(MessageDelta(text=f"Drafting a {LABEL[kind]} of {outline['title']} in {len(groups)} section(s).\n"))
    return {
        "kind": kind,
        "course_title": outline["title"],
        "sources": sources,
        "groups": groups,
        "sections": {},
        "checks": {},
        "rounds": 0,
        "document": None,
    }


def _failing(state: StudyState) -> list[int]:
    checks = state.get("checks", {})
    return [i for i in range(len(state.get("groups", []))) if any(not c["supported"] for c in checks.get(str(i), []))]


def draft(state: StudyState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    kind = cast(Kind, state["kind"])
    groups = state["groups"]
    revising = state.get("rounds", 0) > 0
    todo = _failing(state) if revising else list(range(len(groups)))
    drafts: dict[str, list[dict[str, Any]]] = {}
    style = style_notes.for_prompt(b, "study_document").rstrip("\n")
    for done, i in enumerate(todo, start=1):
        group = groups[i]
        feedback = ""
        if revising:
            wrong = [c["claim"] for c in state["checks"][str(i)] if not c["supported"]]
            feedback = prompts.FEEDBACK.format(claims="; ".join(f'"{c}"' for c in wrong))
        prompt = prompts.DRAFT.format(
            course=state["course_title"],
            heading=group["heading"],
            material=group["material"],
            kind=LABEL[kind],
            entries=conf.entries(kind),
            feedback=feedback + style,
        )
        schema = draft_schema(list(group["sentences"]), conf.entries(kind))
        out = json_reply(b.chat, prompts.SYSTEM, prompt, schema, draft_tokens(conf.entries(kind)))
        drafts[str(i)] = expand(out.get("blocks", []) if isinstance(out.get("blocks"), list) else [], group)
        verb = "Revised" if revising else "Drafted"
        if not drafts[str(i)]:
            verb = "Could not draft"
        b.emit(MessageDelta(text=f"{verb} section {done} of {len(todo)}: {group['heading']}.\n"))
    return {"drafts": drafts}


def check(state: StudyState, config: RunnableConfig) -> dict[str, Any]:
    """Check the new drafts; a revision replaces a section only when it has fewer unsupported claims."""
    b, conf = bound(config), Configuration.from_runnable_config(config)
    sections = dict(state.get("sections", {}))
    drafts = state.get("drafts", {})
    checks = dict(state.get("checks", {}))
    for key, blocks in drafts.items():
        group = state["groups"][int(key)]
        verdicts = [_verdict(b.chat, x) for x in blocks] if conf.model_check else None
        report = check_claims(blocks, group["material"], conf.support_threshold, verdicts)
        old = checks.get(key)
        if old is None or sum(not c["supported"] for c in report) < sum(not c["supported"] for c in old):
            sections[key], checks[key] = blocks, report
    return {"sections": sections, "checks": checks, "drafts": {}, "rounds": state.get("rounds", 0) + 1}


def _verdict(chat: BaseChatModel, block: dict[str, Any]) -> bool | None:
    """The model's word on a term's pairing, one entry per call (a 1.5B model asked for a list of
    verdicts at once answered alike for all); a point is the lesson's own sentence: nothing to ask."""
    if block.get("type") != "term":
        return None
    prompt = prompts.CHECK.format(sentence=block["definition"], term=block["term"])
    verdict = json_reply(chat, prompts.CHECKER, prompt, VERDICT, 12).get("supported")
    return verdict if isinstance(verdict, bool) else None


def after_check(state: StudyState, config: RunnableConfig) -> str:
    conf = Configuration.from_runnable_config(config)
    return "draft" if _failing(state) and state.get("rounds", 0) <= conf.max_rounds else "assemble"
