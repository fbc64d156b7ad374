"""Sign-up, log-in, switching store, and who am I."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import EmailStr, Field

from api.deps import DB, SESSION_COOKIE, Caller, Context, client_address, issue_session_token, session_claims
from api.routing import v1_router
from api.schemas import Input, Name, StoreOut, TokenOut, UserOut
from core import identity, sessions
from core.context import AppContext
from core.errors import AppError, Forbidden, NotFound, Unauthorized, invalid
from core.models import Store, User
from core.principal import Principal
from core.security import hash_password, verify_password
from courses.enrollments import accept_invitation

router = v1_router(tags=["auth"])


class SignUp(Input):
    email: EmailStr
    password: str = Field(min_length=8, max_length=200)
    name: Name = Field(default="", max_length=200)
    store: str | None = Field(default=None, description="Slug of a store to join as a learner.")
    invitation: str | None = Field(
        default=None, max_length=1000, description="The token of an invitation link, accepted with the new account."
    )

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


class PasswordChange(Input):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class SwitchStore(Input):
    store: str = Field(description="Slug or id of a store you belong to.")


class MeOut(UserOut):
    store: StoreOut | None
    role: str | None
    scopes: list[str]
    via: str
    stores: list[dict[str, str]]


def store_list(session: DB, user_id: str) -> list[dict[str, str]]:
    return [
        {"id": s.id, "slug": s.slug, "name": s.name, "role": m.role} for m, s in identity.memberships(session, user_id)
    ]


def token_response(context: AppContext, session: DB, user: User, principal: Principal, response: Response) -> TokenOut:
    """A new session for the user, bound to the principal's store (remembered for the next plain log-in)."""
    if principal.store_id:
        user.last_store_id = principal.store_id
    token = issue_session_token(context, session, user.id, principal.store_id)
    ttl = context.settings.session_ttl_seconds
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ttl,
        httponly=True,
        samesite="lax",
        secure=context.settings.https or context.settings.env == "production",
    )
    store = session.get(Store, principal.store_id) if principal.store_id else None
    return TokenOut(
        access_token=token,
        expires_in=ttl,
        user=UserOut.model_validate(user),
        store=StoreOut.model_validate(store) if store else None,
        role=principal.role,
        scopes=sorted(principal.scopes),
        stores=store_list(session, user.id),
    )


@router.post("/auth/signup", status_code=201, response_model=TokenOut, summary="Create an account")
def signup(body: SignUp, session: DB, context: Context, request: Request, response: Response) -> TokenOut:
    context.limiter.hit(context.settings.signup_limit_per_address, "signup", client_address(request), what="sign-ups")
    store = None
    if body.store:
        store = identity.get_store_by_slug(session, body.store)
        if store is None:
            raise NotFound(f"no store '{body.store}'", extra={"field": "store"})
    user = identity.create_user(session, body.email, body.password, body.name)
    if store is not None:
        identity.join_store_as_learner(session, user, store)
    if body.invitation:
        try:
            store = session.get(
                Store, accept_invitation(session, context.settings.secret(), body.invitation, user).store_id
            )
        except AppError as exc:
            raise invalid("invitation", exc.detail) from exc
    principal = identity.principal_for_user(session, user, store.id if store else None)
    return token_response(context, session, user, principal, response)


@router.post("/auth/login", response_model=TokenOut, summary="Log in and get a session token")
def login(body: LogIn, session: DB, context: Context, request: Request, response: Response) -> TokenOut:
    """Throttled per client address (every attempt) and per account (failed attempts): once an account has
    failed too often from an address, even the right password waits there (429, `Retry-After`). Failures
    count per account *and address*, so a stranger cannot lock a creator out from elsewhere; a looser
    account-wide window stops slow guessing spread over many addresses."""
    limits, settings = context.limiter, context.settings
    account, address = identity.normalise_email(body.email), client_address(request)
    windows = (
        (settings.login_limit_per_account, ("login-account", account, address)),
        (settings.login_limit_per_account_total, ("login-account-total", account)),
    )
    limits.hit(settings.login_limit_per_address, "login-address", address, what="log-in attempts")
    for rule, key in windows:
        limits.check(rule, *key, what="failed log-ins for this account")
    try:
        user = identity.authenticate(session, body.email, body.password)
    except Unauthorized:
        for rule, key in windows:
            limits.hit(rule, *key, what="failed log-ins for this account")
        raise
    principal = identity.principal_for_user(session, user, body.store)
    return token_response(context, session, user, principal, response)


@router.post("/auth/password", response_model=TokenOut, summary="Change your password (ends every other session)")
def change_password(
    body: PasswordChange, caller: Caller, session: DB, context: Context, request: Request, response: Response
) -> TokenOut:
    if caller.via != "session":
        raise Forbidden("log in as the person to change a password; an API key cannot")
    user = session.get(User, caller.user_id)
    assert user is not None
    rule, key = context.settings.login_limit_per_account, ("login-account", user.email, client_address(request))
    context.limiter.check(rule, *key, what="failed password checks for this account")
    if not verify_password(user.password_hash, body.current_password):
        context.limiter.hit(rule, *key, what="failed password checks")
        raise invalid("current_password", "is not your current password")
    user.password_hash = hash_password(body.new_password)
    sessions.revoke_all(session, user.id)
    principal = identity.principal_for_user(session, user, caller.store_id)
    return token_response(context, session, user, principal, response)


@router.post("/auth/switch", response_model=TokenOut, summary="Get a session token for another of your stores")
def switch_store(body: SwitchStore, caller: Caller, session: DB, context: Context, response: Response) -> TokenOut:
    user = session.get(User, caller.user_id)
    assert user is not None
    principal = identity.principal_for_user(session, user, body.store)
    return token_response(context, session, user, principal, response)


@router.post(
    "/auth/logout", status_code=204, summary="End this session (its token stops working) and forget the cookie"
)
def logout(request: Request, session: DB) -> Response:
    try:
        claims = session_claims(request)
    except AppError:  # an expired or broken token: there is nothing left to end
        claims = None
    if claims is not None and isinstance(claims.get("sid"), str):
        sessions.revoke_session(session, str(claims["sid"]))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
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
        stores=store_list(session, user.id),
    )
