"""Invitations: a store asks a person to join (as staff, or as a learner of a course); the person
opens the link, logs in or signs up with the invited address, and accepts."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response
from pydantic import Field

from api.deps import DB, Caller, Context
from api.routing import v1_router
from api.schemas import Input, InvitationOut, Output, TokenOut, invitation_out
from api.v1.identity.auth import token_response
from core import identity, invitations
from core.errors import Forbidden
from core.models import Store, User
from courses.enrollments import accept_invitation
from courses.models import Course

router = v1_router(tags=["invitations"])


class InvitationView(Output):
    """What the holder of a link sees before accepting."""

    store: str
    store_slug: str
    course: str | None
    role: str
    email: str
    expires_at: datetime


class AcceptIn(Input):
    token: str = Field(min_length=1, max_length=1000)


@router.get("/store/invitations", response_model=list[InvitationOut], summary="The store's invitations")
def list_invitations(caller: Caller, session: DB, context: Context) -> list[InvitationOut]:
    return [invitation_out(context, i) for i in invitations.list_invitations(session, caller)]


@router.delete("/invitations/{invitation_id}", response_model=InvitationOut, summary="Withdraw an invitation")
def revoke_invitation(invitation_id: str, caller: Caller, session: DB, context: Context) -> InvitationOut:
    return invitation_out(context, invitations.revoke(session, caller, invitation_id))


@router.get("/invitations/by-token/{token}", response_model=InvitationView, summary="What an invitation link offers")
def view_invitation(token: str, session: DB, context: Context) -> InvitationView:
    invitation = invitations.from_token(session, context.settings.secret(), token)
    store = session.get(Store, invitation.store_id)
    course = session.get(Course, invitation.course_id) if invitation.course_id else None
    assert store is not None
    return InvitationView(
        store=store.name,
        store_slug=store.slug,
        course=course.title if course else None,
        role=invitation.role,
        email=invitation.email,
        expires_at=invitation.expires_at,
    )


@router.post("/invitations/accept", response_model=TokenOut, summary="Accept an invitation (as the invited address)")
def accept(body: AcceptIn, caller: Caller, session: DB, context: Context, response: Response) -> TokenOut:
    """Joins the store (and enrolls in the course); answers a session bound to that store."""
    if caller.via != "session":
        raise Forbidden("log in as the invited person to accept; an API key cannot")
    user = session.get(User, caller.user_id)
    assert user is not None
    invitation = accept_invitation(session, context.settings.secret(), body.token, user)
    principal = identity.principal_for_user(session, user, invitation.store_id)
    return token_response(context, session, user, principal, response)
