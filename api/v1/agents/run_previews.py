"""A review card's emails as their recipient will see them: `GET /v1/runs/{id}/emails/{n}/preview`
serves the HTML the email writer rendered (in the store's brand, for a sample recipient) for the
card the run waits on, to the people who may see the run, under the mail frame's own policy. The
chat page shows it in a sandboxed frame beside the words it can edit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from fastapi.responses import HTMLResponse

from api.deps import Caller, Runs
from api.headers import MAIL_FRAME_HEADERS
from api.routing import v1_router
from core.errors import NotFound

router = v1_router(tags=["threads and runs"])


@router.get(
    "/runs/{run_id}/emails/{n}/preview",
    response_class=HTMLResponse,
    summary="An email of the draft a run waits on, rendered as its recipient will see it",
    responses={200: {"content": {"text/html": {}}}},
)
def email_preview(run_id: str, n: Annotated[int, Path(ge=0, le=99)], caller: Caller, runs: Runs) -> HTMLResponse:
    runs.get_run(caller, run_id)  # the run is the caller's to see, or a 404
    cards = [e.data["arguments"] for e in runs.events.replay(run_id) if e.type == "approval.required"]
    emails = cards[-1].get("emails") if cards and isinstance(cards[-1], dict) else None
    email = emails[n] if isinstance(emails, list) and n < len(emails) else None
    if not isinstance(email, dict) or not email.get("html"):
        raise NotFound(f"run '{run_id}' has no rendered email {n} to preview")
    return HTMLResponse(str(email["html"]), headers=MAIL_FRAME_HEADERS)
