"""Sign-up, log-in, switching store, and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import EmailStr, Field

from api.deps import DB, SESSION_COOKIE, Caller, app_context, issue_session_token
from api.schemas import Input, StoreOut, TokenOut, UserOut
from core import identity
from core.context import AppContext
from core.errors import NotFound
from core.models import Store, User
from core.principal import Principal

router = APIRouter(prefix="/v1", tags=["auth"])
Context = Annotated[AppContext, Depends(app_context)]


class SignUp(Input):
    email: EmailStr
    password: str = Field(min_length=8, max_length=200)
    name: str = Field(default="", max_length=200)
    store: str | None = Field(default=None, description="Slug of a store to join as a learner.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "email": "ada@example.com",
                    "password": "correct horse battery",
                    "name": "Ada",
                    "store": "demo",
                }
            ]
        }
    }


class LogIn(Input):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)
    store: str | None = Field(default=None, description="Store slug or id; optional when you belong to one store.")

    model_config = {
        "json_schema_extra": {"examples": [{"email": "creator@demo.academy", "password": "demo-creator-pass"}]}
    }


class SwitchStore(Input):
    store: str = Field(description="Slug or id of a store you belong to.")


class MeOut(UserOut):
    store: StoreOut | None
    role: str | None
    scopes: list[str]
    via: str
    stores: list[dict[str, str]]


def token_response(context: AppContext, session: DB, user: User, principal: Principal, response: Response) -> TokenOut:
    token = issue_session_token(context, user.id, principal.store_id)
    ttl = context.settings.session_ttl_seconds
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ttl,
        httponly=True,
        samesite="lax",
        secure=context.settings.env == "production",
    )
    store = session.get(Store, principal.store_id) if principal.store_id else None
    return TokenOut(
        access_token=token,
        expires_in=ttl,
        user=UserOut.model_validate(user),
        store=StoreOut.model_validate(store) if store else None,
        role=principal.role,
        scopes=sorted(principal.scopes),
    )


@router.post("/auth/signup", status_code=201, response_model=TokenOut, summary="Create an account")
def signup(body: SignUp, session: DB, context: Context, response: Response) -> TokenOut:
    store = None
    if body.store:
        store = identity.get_store_by_slug(session, body.store)
        if store is None:
            raise NotFound(f"no store '{body.store}'", extra={"field": "store"})
    user = identity.create_user(session, body.email, body.password, body.name)
    if store is not None:
        identity.join_store_as_learner(session, user, store)
    principal = identity.principal_for_user(session, user, store.id if store else None)
    return token_response(context, session, user, principal, response)


@router.post("/auth/login", response_model=TokenOut, summary="Log in and get a session token")
def login(body: LogIn, session: DB, context: Context, response: Response) -> TokenOut:
    user = identity.authenticate(session, body.email, body.password)
    principal = identity.principal_for_user(session, user, body.store)
    return token_response(context, session, user, principal, response)


@router.post("/auth/switch", response_model=TokenOut, summary="Get a session token for another of your stores")
def switch_store(body: SwitchStore, caller: Caller, session: DB, context: Context, response: Response) -> TokenOut:
    user = session.get(User, caller.user_id)
    assert user is not None
    principal = identity.principal_for_user(session, user, body.store)
    return token_response(context, session, user, principal, response)


@router.post("/auth/logout", status_code=204, summary="Forget the session cookie")
def logout(response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE)
    response.status_code = 204
    return response


@router.get("/me", response_model=MeOut, summary="The caller: user, store, role and scopes")
def me(caller: Caller, session: DB) -> MeOut:
    user = session.get(User, caller.user_id)
    assert user is not None
    store = session.get(Store, caller.store_id) if caller.store_id else None
    return MeOut(
        **UserOut.model_validate(user).model_dump(),
        store=StoreOut.model_validate(store) if store else None,
        role=caller.role,
        scopes=sorted(caller.scopes),
        via=caller.via,
        stores=[
            {"id": s.id, "slug": s.slug, "name": s.name, "role": m.role}
            for m, s in identity.memberships(session, user.id)
        ],
    )
