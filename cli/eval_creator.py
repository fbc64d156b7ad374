"""`academy eval creator`: a creator agent's artifact on a real course, measured (`evals/creator.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.settings import get_settings


def eval_creator(
    dataset: Annotated[Path, typer.Option(help="A course folder (lessons.jsonl, or markdown files).")],
    agent: Annotated[
        str,
        typer.Option(
            help="The creator agent to measure: study_guides, course_builder, social_writer, email_writer or "
            "video_scripter."
        ),
    ] = "study_guides",
    kind: Annotated[str, typer.Option(help="cheat_sheet or reference_guide.")] = "cheat_sheet",
    judge: Annotated[bool, typer.Option(help="Also ask the model whether each claim is in its lesson.")] = True,
    out: Annotated[Path, typer.Option(help="Where the JSON and markdown reports go.")] = Path("evals/reports"),
    runs: Annotated[int, typer.Option(help="Marketing agents: how many of their briefs to run (0: all).")] = 0,
) -> None:
    """Schema validity, faithfulness per claim, citation validity, a rubric and the time, for one artifact;
    for the marketing agents, schema validity over several briefs, flagged promises and virality."""
    from agents.llm import make_chat_model
    from evals.creator import markdown_report, run_creator_eval

    if agent == "course_builder":
        _eval_builder(dataset, out)
        return
    if agent in ("social_writer", "email_writer", "video_scripter"):
        _eval_marketing(dataset, agent, out, runs)
        return
    if kind not in ("cheat_sheet", "reference_guide"):
        raise typer.BadParameter("choose cheat_sheet or reference_guide", param_hint="--kind")
    console = Console()
    with console.status(f"{agent}: making a {kind.replace('_', ' ')} of {dataset.name} on the configured model…"):
        settings = get_settings()
        model = make_chat_model(settings, temperature=0.0)
        report = run_creator_eval(dataset, settings, lambda: model, agent, kind, out, judge)
    console.print(markdown_report(report).split("\n| section |")[0], soft_wrap=True)
    console.print(f"reports written to {out}/creator-{agent}-{kind}-{dataset.name}.json and .md")


def _eval_builder(dataset: Path, out: Path) -> None:
    from agents.llm import make_chat_model
    from evals.course_builder import markdown_report, run_builder_eval

    console = Console()
    with console.status(f"course_builder: outlines and a built course from {dataset.name} on the configured model…"):
        settings = get_settings()
        model = make_chat_model(settings, temperature=0.0)
        report = run_builder_eval(dataset, settings, lambda: model, out)
    console.print(markdown_report(report).split("\n| brief |")[0], soft_wrap=True)
    console.print(f"reports written to {out}/creator-course_builder-{dataset.name}.json and .md")


def _eval_marketing(dataset: Path, agent: str, out: Path, runs: int) -> None:
    from agents.llm import make_chat_model
    from evals.marketing import markdown_report, run_marketing_eval

    console = Console()
    with console.status(f"{agent}: drafting for {dataset.name} on the configured model…"):
        settings = get_settings()
        model = make_chat_model(settings, temperature=0.0)
        report = run_marketing_eval(dataset, settings, lambda: model, agent, out, runs)
    console.print(markdown_report(report).split("\n| brief |")[0], soft_wrap=True)
    console.print(f"reports written to {out}/creator-{agent}-{dataset.name}.json and .md")
