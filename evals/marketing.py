"""`academy eval creator --agent social_writer|email_writer|video_scripter`: the marketing agents
measured on a real course, on the model the platform is configured with.

A scratch store holds the dataset's course, published and indexed (the claim check searches it). Each
of the agent's briefs is one run to its review card; the card's draft is validated against the
agent's own JSON schema independently of the constrained decoding that made it (schema validity),
its shape is compared with what the brief asked (platforms, email count, seconds), and the claim
check's verdicts are counted. For posts, the virality score before and after the revision round.
The first valid draft is then approved, confirming every flagged promise as a creator would, and
what it saved is read back: the posts' file, the templates and draft workflow, or the rendered
video (its measured length and the time to render it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from agents.email_writer.sequence import sequence_schema
from agents.llm import ChatModel
from agents.runs import RunManager
from agents.social_writer.posts import platforms_asked, post_schema
from agents.video_scripter.configuration import Configuration as VideoConfiguration
from agents.video_scripter.script import scene_count, script_schema, seconds_asked
from core.principal import Principal
from core.settings import Settings
from evals.creator import model_label, scratch_runs, write_report
from evals.retrieval import machine

AGENTS = ("social_writer", "email_writer", "video_scripter")
BRIEFS = {
    "social_writer": [
        "Write an X thread for this course",
        "Write a LinkedIn post for this course",
        "Write an Instagram caption for this course",
        "Write a TikTok script for this course",
        "Write social posts for this course",
    ],
    "email_writer": [
        "Write a 2-email sequence for this course",
        "Write a 3-email nurture and pitch sequence for this course",
        "Write a 4-email sequence for people who play an instrument but never learned theory",
    ],
    "video_scripter": [
        "Script a 30-second promo video of this course",
        "Script a 45-second video for beginners about what this course teaches",
        "Script a 60-second promo video of this course",
    ],
}
FIELDS = {"social_writer": ("platform", "parts"),
          "email_writer": ("subject", "preview", "body", "cta", "send_after_days")}  # fmt: skip


def _valid(schema: dict[str, Any], value: dict[str, Any]) -> bool:
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError:
        return False
    return True


def _social(card: dict[str, Any], brief: str) -> dict[str, Any]:
    asked = platforms_asked(brief)
    drafts = [{"posts": [{k: p[k] for k in FIELDS["social_writer"]}]} for p in card["posts"]]
    posts = [{"platform": p["platform"], "first_score": p["first_score"], "score": p["score"],
              "revision": p.get("revision")} for p in card["posts"]]  # fmt: skip
    valid = bool(drafts) and all(_valid(post_schema(d["posts"][0]["platform"]), d) for d in drafts)
    return {"schema_valid": valid,
            "shape_ok": sorted(p["platform"] for p in posts) == sorted(asked), "posts": posts}  # fmt: skip


def _email(card: dict[str, Any], brief: str) -> dict[str, Any]:
    from agents.email_writer.configuration import Configuration
    from agents.email_writer.sequence import emails_asked

    asked = emails_asked(brief, Configuration())
    draft = {"name": card["name"], "emails": [{k: e[k] for k in FIELDS["email_writer"]} for e in card["emails"]]}
    return {"schema_valid": _valid(sequence_schema(asked), draft), "shape_ok": len(card["emails"]) == asked,
            "emails": len(card["emails"]), "kinds": [e["kind"] for e in card["emails"]],
            "days": [e["day"] for e in card["emails"]]}  # fmt: skip


def _video(card: dict[str, Any], brief: str) -> dict[str, Any]:
    conf = VideoConfiguration()
    seconds = seconds_asked(brief, conf.default_seconds)
    script = {"title": card["title"], "scenes": card["scenes"]}
    within = abs(card["seconds"] - seconds) <= seconds * conf.tolerance
    return {"schema_valid": _valid(script_schema(scene_count(seconds, conf), seconds), script), "shape_ok": within,
            "seconds_asked": seconds, "seconds_estimated": card["seconds"], "scenes": len(card["scenes"])}  # fmt: skip


MEASURE: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "social_writer": _social, "email_writer": _email, "video_scripter": _video}  # fmt: skip


def _draft(manager: RunManager, owner: Principal, course_id: str, agent: str, brief: str) -> tuple[dict[str, Any], str]:
    started = time.perf_counter()
    thread = manager.create_thread(owner, agent, course_id)
    run = manager.start(owner, thread.id, brief)
    manager.wait(run.id, timeout=1800)
    events = manager.events.replay(run.id)
    row: dict[str, Any] = {"brief": brief, "seconds": round(time.perf_counter() - started, 1), "schema_valid": False,
                           "shape_ok": False}  # fmt: skip
    cards = [e.data["arguments"] for e in events if e.type == "approval.required"]
    if not cards:
        row["said"] = [e.data.get("text", e.data) for e in events if e.type in ("error", "message.completed")]
        return row, run.id
    card = cards[-1]
    claims = card.get("claims", [])
    row |= MEASURE[agent](card, brief) | {
        "claims": len(claims),
        "unsupported": [c["text"] for c in claims if not c["supported"]],
    }
    row["card"] = card
    return row, run.id


def _approve(manager: RunManager, owner: Principal, run_id: str, card: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    manager.resume(owner, run_id, "approve", {"confirmed": card["unsupported"]})
    manager.wait(run_id, timeout=1800)
    events = manager.events.replay(run_id)
    said = [e.data.get("text", "") for e in events if e.type == "message.completed"]
    kept = [{"kind": e.data["kind"], "title": e.data["title"]} for e in events if e.type == "artifact"]
    return {"seconds": round(time.perf_counter() - started, 1), "artifacts": kept, "said": said[-1] if said else ""}


def run_marketing_eval(
    dataset: Path, settings: Settings, chat: Callable[[], ChatModel], agent: str, out: Path, runs: int = 0
) -> dict[str, Any]:
    if agent not in AGENTS:
        raise ValueError(f"this eval measures {', '.join(AGENTS)} ({agent!r} asked)")
    briefs = BRIEFS[agent][: runs or None]
    with scratch_runs(settings, dataset, chat, "academy-marketing-eval-") as (_db, owner, course_id, manager):
        drafted = [_draft(manager, owner, course_id, agent, brief) for brief in briefs]
        first = next((d for d in drafted if d[0]["schema_valid"]), None)
        saved = _approve(manager, owner, first[1], first[0]["card"]) if first else None
    rows = [row for row, _ in drafted]
    report = summary(agent, dataset.name, settings, rows) | {"approved": saved, "per_run": rows}
    write_report(out, f"creator-{agent}-{dataset.name}", report, markdown_report(report))
    return report


def summary(agent: str, dataset: str, settings: Settings, rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = max(1, len(rows))
    posts = [p for r in rows for p in r.get("posts", [])]
    out = {
        "suite": "creator",
        "agent": agent,
        "dataset": dataset,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "model": model_label(settings),
        "runs": len(rows),
        "schema_valid": round(sum(r["schema_valid"] for r in rows) / n, 4),
        "shape_as_asked": round(sum(r["shape_ok"] for r in rows) / n, 4),
        "claims_checked": sum(r.get("claims", 0) for r in rows),
        "claims_unsupported": sum(len(r.get("unsupported", [])) for r in rows),
        "seconds_per_draft": round(sum(r["seconds"] for r in rows) / n, 1),
    }
    if posts:
        tried = [p["revision"] for p in posts if p.get("revision")]
        usable = [t for t in tried if t["score"] is not None]
        kept = [t for t in usable if t["kept"]]
        out["virality"] = {
            "posts": len(posts),
            "mean_before": round(sum(p["first_score"] for p in posts) / len(posts), 1),
            "mean_after": round(sum(p["score"] for p in posts) / len(posts), 1),
            "revisions_tried": len(tried),
            "revisions_usable": len(usable),
            "revisions_kept": len(kept),
            # features only, both sides: the draft's and its revision's
            "revised_features_before": round(sum(t["was"] for t in usable) / len(usable), 1) if usable else None,
            "revised_features_after": round(sum(t["score"] for t in usable) / len(usable), 1) if usable else None,
        }
    return out


def markdown_report(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        f"# Creator eval: {r['agent']} on {r['dataset']}",
        "",
        f"- date: {r['date']}; machine: {m['platform']}, {m['cpus']} CPUs",
        f"- model: {r['model']}; the course published and indexed; claims checked by `check_claims`",
        "",
        "| measure | value |",
        "|---|---|",
        f"| drafts schema-valid (validated against the agent's schema) | {r['schema_valid']:.4f} of {r['runs']} |",
        f"| drafts of the shape asked | {r['shape_as_asked']:.4f} |",
        f"| promises checked / flagged unsupported | {r['claims_checked']} / {r['claims_unsupported']} |",
        f"| time to a draft (s, mean) | {r['seconds_per_draft']} |",
    ]
    if v := r.get("virality"):
        lines += [
            f"| virality, mean before → after revision ({v['posts']} posts) | {v['mean_before']} → {v['mean_after']} |",
            f"| revisions tried / with a usable reply / kept (scored higher) | {v['revisions_tried']} / "
            f"{v['revisions_usable']} / {v['revisions_kept']} |",
            f"| revised posts' feature score, draft → revision (mean) | {v['revised_features_before']} → "
            f"{v['revised_features_after']} |",
        ]
    if a := r.get("approved"):
        kinds = ", ".join(x["kind"] for x in a["artifacts"]) or "-"
        lines.append(f"| first valid draft approved: saved ({kinds}) in s | {a['seconds']} |")
        lines += ["", f"After approval the agent said: {a['said']}"]
    lines += ["", "| brief | valid | shape | s | flagged | detail |", "|---|---|---|---|---|---|"]
    for row in r["per_run"]:
        detail = _detail(r["agent"], row)
        flagged = "; ".join(row.get("unsupported", [])) or "-"
        lines.append(f"| {row['brief']} | {row['schema_valid']} | {row['shape_ok']} | {row['seconds']} | "
                     f"{flagged.replace('|', '/')} | {detail} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def _detail(agent: str, row: dict[str, Any]) -> str:
    if "card" not in row:
        return "no draft: " + "; ".join(str(x) for x in row.get("said", []))
    if agent == "social_writer":
        return ", ".join(f"{p['platform']} {p['first_score']} → {p['score']}" for p in row["posts"])
    if agent == "email_writer":
        return f"{row['emails']} emails ({', '.join(row['kinds'])}) on days {row['days']}"
    return f"{row['scenes']} scenes, ~{row['seconds_estimated']} s of {row['seconds_asked']} asked"
