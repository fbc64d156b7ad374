"""Invitations: how a store asks a person to join it (as staff or a learner, optionally enrolled in
one course). The store learns nothing about the person until they accept: creating an invitation
answers the same whether or not the address has an account, and the link is a signed, expiring
token that only the invited address can redeem.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, Forbidden, NotFound, Unauthorized, invalid
from core.identity import normalise_email
from core.models import Invitation, StoreMember, User
from core.principal import ENROLLMENTS_WRITE, MEMBERS_READ, MEMBERS_WRITE, Principal
from core.security import sign_token, verify_token
from core.tenancy import get_in_store, in_store, select_in_store

PURPOSE = "invite"
TTL = timedelta(days=7)
ROLES = ("staff", "learner")


def _scope_for(role: str, course_id: str | None) -> str:
    """Staff invitations are the owner's to give; a learner invited into a course is an enrollment."""
    return ENROLLMENTS_WRITE if role == "learner" and course_id else MEMBERS_WRITE


def token_for(secret: str, invitation: Invitation) -> str:
    return sign_token(secret, {"inv": invitation.id}, 0, PURPOSE, expires_at=int(invitation.expires_at.timestamp()))


def invite(session: Session, principal: Principal, email: str, role: str, course_id: str | None = None) -> Invitation:
    """A pending invitation (a repeat for the same address, role and course is refreshed, not doubled).
    The caller has checked that `course_id`, if any, is a course of the principal's store."""
    if role not in ROLES:
        raise invalid("role", f"must be one of {', '.join(ROLES)}")
    principal.require(_scope_for(role, course_id))
    store_id = principal.require_store()
    address = normalise_email(email)
    existing = session.scalar(
        select(Invitation).where(
            in_store(Invitation, store_id),
            Invitation.email == address,
            Invitation.role == role,
            Invitation.course_id.is_(None) if course_id is None else Invitation.course_id == course_id,
            Invitation.status == "pending",
        )
    )
    expires = (utcnow() + TTL).replace(microsecond=0)
    if existing is not None:
        existing.expires_at = expires
        session.flush()
        return existing
    invitation = Invitation(
        store_id=store_id,
        email=address,
        role=role,
        course_id=course_id,
        invited_by=principal.user_id,
        expires_at=expires,
    )
    session.add(invitation)
    session.flush()
    return invitation


def list_invitations(session: Session, principal: Principal) -> list[Invitation]:
    principal.require(MEMBERS_READ)
    return list(session.scalars(select_in_store(Invitation, principal).order_by(Invitation.id)))


def revoke(session: Session, principal: Principal, invitation_id: str) -> Invitation:
    invitation = get_in_store(session, Invitation, invitation_id, principal, "invitation")
    principal.require(_scope_for(invitation.role, invitation.course_id))
    if invitation.status == "accepted":
        raise Conflict("this invitation was already accepted; remove the member or revoke the enrollment instead")
    invitation.status = "revoked"
    session.flush()
    return invitation


def from_token(session: Session, secret: str, token: str) -> Invitation:
    """The invitation a link names, if it is still open; 404 for a link that is not (or no longer) good."""
    try:
        claims = verify_token(secret, token, PURPOSE)
    except Unauthorized as exc:
        raise NotFound(f"this invitation link is not valid: {exc.detail.replace('; log in again', '')}") from exc
    invitation_id = claims.get("inv")
    invitation = session.get(Invitation, invitation_id) if isinstance(invitation_id, str) else None
    if invitation is None or invitation.status == "revoked":
        raise NotFound("this invitation has been withdrawn")
    if invitation.expires_at <= datetime.now(UTC):
        raise NotFound("this invitation has expired; ask for a new one")
    return invitation


def accept(session: Session, secret: str, token: str, user: User) -> Invitation:
    """The invited person joins the store with the invitation's role (an owner stays owner, staff is
    never lowered to learner). Accepting twice is harmless."""
    invitation = from_token(session, secret, token)
    if normalise_email(user.email) != invitation.email:
        raise Forbidden(
            "this invitation was sent to another email address; log in with that address to accept it",
            extra={"reason": "other_email"},
        )
    member = session.scalar(select_in_store(StoreMember, invitation.store_id).where(StoreMember.user_id == user.id))
    if invitation.status == "accepted" and member is None:
        raise NotFound("this invitation has already been used")
    if member is None:
        session.add(StoreMember(store_id=invitation.store_id, user_id=user.id, role=invitation.role))
    elif member.role == "learner" and invitation.role == "staff":
        member.role = "staff"
    if invitation.status == "pending":
        invitation.status = "accepted"
        invitation.accepted_at = utcnow()
        invitation.accepted_by = user.id
    user.last_store_id = invitation.store_id
    session.flush()
    return invitation


def add_or_invite(session: Session, principal: Principal, email: str, role: str) -> StoreMember | Invitation:
    """A current member gets the new role at once (the store knows them already); anyone else, with
    an account or not, gets an invitation."""
    principal.require(MEMBERS_WRITE)
    store_id = principal.require_store()
    member = session.scalar(
        select(StoreMember)
        .join(User, User.id == StoreMember.user_id)
        .where(in_store(StoreMember, store_id), User.email == normalise_email(email))
    )
    if member is None:
        return invite(session, principal, email, role)
    if member.role == "owner":
        raise Conflict("that user owns this store", extra={"field": "email"})
    if role not in ROLES:
        raise invalid("role", f"must be one of {', '.join(ROLES)}")
    member.role = role
    session.flush()
    return member
