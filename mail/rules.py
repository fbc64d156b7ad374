"""Audience rules: who, among a store's contacts, a segment, a broadcast or a workflow's condition means.

A rule is a small typed tree (`all` / `any` of rules, each negatable) over what a store knows of a
contact: tags, topics, custom fields, consent, purchases of a product, enrollment in a course,
lessons completed, last activity. It compiles to one SQL condition on `mail_contacts`, so a segment
of 100,000 contacts is counted and walked by the database, never loaded into Python. Purchases,
enrollments and progress belong to sibling services: they are read as plain tables, joined to the
contact by the account's address (`users.email`), as `mail` reads `order_events`.

`check` refuses, with the rule's path, what cannot mean anything: a custom field no contact of the
store has, a product or a course of another store (or none)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    ColumnElement,
    and_,
    cast,
    column,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause, TableClause

from core.errors import invalid
from mail.models import Contact

USERS = table("users", column("id"), column("email"))
ORDERS = table("orders", column("id"), column("store_id"), column("user_id"), column("status"))
LINES = table("order_lines", column("order_id"), column("product_id"))
PRODUCTS = table("products", column("id"), column("store_id"))
COURSES = table("courses", column("id"), column("store_id"))
TOPICS = table("mail_topics", column("key"), column("store_id"))
ENROLLMENTS = table("enrollments", column("user_id"), column("course_id"), column("revoked_at"))
PROGRESS = table("lesson_progress", column("user_id"), column("store_id"), column("course_id"))
HELD = ("paid", "free", "partially_refunded")  # an order that still counts as bought
MAX_RULES = 50


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    negate: bool = Field(default=False, description="Match the contacts this rule would not match.")


class TagRule(_Rule):
    rule: Literal["tag"]
    tag: str = Field(min_length=1, max_length=40)


class TopicRule(_Rule):
    rule: Literal["topic"]
    topic: str = Field(min_length=1, max_length=40, description="A topic the contact is subscribed to.")


class FieldRule(_Rule):
    rule: Literal["field"]
    name: str = Field(min_length=1, max_length=60, description="A custom field the store's contacts have.")
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte", "contains", "exists"] = "eq"
    value: str | float | None = None


class StatusRule(_Rule):
    rule: Literal["status"]
    status: Literal["none", "pending", "subscribed", "unsubscribed"]


class PurchasedRule(_Rule):
    rule: Literal["purchased"]
    product_id: str | None = Field(default=None, max_length=40, description="Default: any product.")


class EnrolledRule(_Rule):
    rule: Literal["enrolled"]
    course_id: str | None = Field(default=None, max_length=40, description="Default: any course.")


class LessonsRule(_Rule):
    rule: Literal["lessons_completed"]
    at_least: int = Field(ge=1, le=100_000)
    course_id: str | None = Field(default=None, max_length=40, description="Default: in any course.")


class ActiveRule(_Rule):
    rule: Literal["active"]
    within_days: int = Field(ge=1, le=3650, description="Last activity (a purchase, a lesson, a click) this recent.")


class GroupRule(_Rule):
    rule: Literal["all", "any"]
    rules: list[Rule] = Field(min_length=1, max_length=MAX_RULES)


Rule = Annotated[
    TagRule | TopicRule | FieldRule | StatusRule | PurchasedRule | EnrolledRule | LessonsRule | ActiveRule | GroupRule,
    Field(discriminator="rule"),
]
GroupRule.model_rebuild()
Leaf = TagRule | TopicRule | FieldRule | StatusRule | PurchasedRule | EnrolledRule | LessonsRule | ActiveRule
AnyRule = Leaf | GroupRule


KINDS = ("tag", "topic", "field", "status", "purchased", "enrolled", "lessons_completed", "active", "all", "any")


def error_path(field: str, loc: tuple[int | str, ...], tags: tuple[str, ...] = KINDS) -> str:
    """Where a validation error is, as the sender wrote it: pydantic puts the discriminator's value
    (`all`, `send_email`) into the path, which names no member of what was sent."""
    return ".".join(str(p) for p in (field, *loc) if p not in tags)


def _json_list_has(col: Any, value: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return cast(col, JSONB).contains([value])
    items = func.json_each(col).table_valued("value")
    return exists(select(literal_column("1")).select_from(items).where(items.c.value == value))


def _user_ids() -> Any:
    return select(USERS.c.id).where(USERS.c.email == Contact.email).correlate_except(USERS).scalar_subquery()


def _member(name: str, dialect: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """A custom field's value as text and as a number. On SQLite it is found by comparing keys
    (`json_each`), not by a JSON path: a path spells the name, and one with a `"`, a backslash or a
    non-ASCII letter silently named no member. PostgreSQL's `->>` takes the name as a bound value."""
    if dialect == "postgresql":
        item = Contact.fields[name]
        return item.as_string(), item.as_float()
    members = func.json_each(Contact.fields).table_valued("key", "value", "type")

    def typed(*types: str) -> ColumnElement[Any]:
        return select(members.c.value).where(members.c.key == name, members.c.type.in_(types)).scalar_subquery()

    return typed("text", "integer", "real"), typed("integer", "real")


def _field(rule: FieldRule, dialect: str) -> ColumnElement[bool]:
    as_text, as_number = _member(rule.name, dialect)
    if rule.op == "exists":
        present: ColumnElement[bool] = as_text.is_not(None) | as_number.is_not(None)
        return present
    if rule.op in ("gt", "gte", "lt", "lte"):
        if not isinstance(rule.value, int | float):
            raise invalid("value", f"'{rule.op}' compares numbers")
        number = as_number
        compared: ColumnElement[bool] = {"gt": number > rule.value, "gte": number >= rule.value,
                                         "lt": number < rule.value, "lte": number <= rule.value}[rule.op]  # fmt: skip
        return compared
    if rule.value is None:
        raise invalid("value", f"'{rule.op}' needs a value")
    wanted = str(rule.value)
    if rule.op == "contains":
        return func.lower(as_text).contains(wanted.lower(), autoescape=True)
    matches = or_(as_text == wanted, as_number == rule.value) if isinstance(rule.value, float) else as_text == wanted
    return matches if rule.op == "eq" else or_(as_text.is_(None), not_(matches))


def _leaf(rule: Leaf, dialect: str, now: datetime) -> ColumnElement[bool]:
    if isinstance(rule, TagRule):
        return _json_list_has(Contact.tags, rule.tag, dialect)
    if isinstance(rule, TopicRule):
        return _json_list_has(Contact.topics, rule.topic, dialect)
    if isinstance(rule, FieldRule):
        return _field(rule, dialect)
    if isinstance(rule, StatusRule):
        return Contact.status == rule.status
    if isinstance(rule, ActiveRule):
        return Contact.last_activity_at >= now - timedelta(days=rule.within_days)
    if isinstance(rule, PurchasedRule):
        bought = select(ORDERS.c.id).where(
            ORDERS.c.user_id == _user_ids(), ORDERS.c.store_id == Contact.store_id, ORDERS.c.status.in_(HELD)
        )
        if rule.product_id:
            bought = bought.where(exists(select(LINES.c.order_id).where(
                LINES.c.order_id == ORDERS.c.id, LINES.c.product_id == rule.product_id
            )))  # fmt: skip
        return exists(bought)
    if isinstance(rule, EnrolledRule):
        enrolled = select(ENROLLMENTS.c.user_id).where(
            ENROLLMENTS.c.user_id == _user_ids(), ENROLLMENTS.c.revoked_at.is_(None)
        )
        if rule.course_id:
            enrolled = enrolled.where(ENROLLMENTS.c.course_id == rule.course_id)
        else:
            enrolled = enrolled.where(ENROLLMENTS.c.course_id.in_(
                select(COURSES.c.id).where(COURSES.c.store_id == Contact.store_id).correlate_except(COURSES)
            ))  # fmt: skip
        return exists(enrolled)
    done = (
        select(func.count())
        .select_from(PROGRESS)
        .where(PROGRESS.c.user_id == _user_ids(), PROGRESS.c.store_id == Contact.store_id)
    )
    if rule.course_id:
        done = done.where(PROGRESS.c.course_id == rule.course_id)
    return done.scalar_subquery() >= rule.at_least


def condition(rule: AnyRule, dialect: str, now: datetime) -> ColumnElement[bool]:
    """The SQL condition on `mail_contacts` that this rule means."""
    if isinstance(rule, GroupRule):
        parts = [condition(child, dialect, now) for child in rule.rules]
        made = and_(true(), *parts) if rule.rule == "all" else or_(false(), *parts)
    else:
        made = _leaf(rule, dialect, now)
    # A comparison with a missing value is NULL in SQL, and so is its NOT: a negated rule would match
    # neither the contacts it names nor those it does not; unknown counts as "does not match".
    return not_(func.coalesce(made, false())) if rule.negate else made


FIELD_NAMES = {
    "postgresql": "SELECT DISTINCT json_object_keys(fields) FROM mail_contacts WHERE store_id = :store",
    "sqlite": "SELECT DISTINCT j.key FROM mail_contacts, json_each(mail_contacts.fields) AS j WHERE store_id = :store",
}


def field_names(session: Session, store_id: str) -> set[str]:
    """The custom fields the store's contacts have (what a field rule may name), found by the database."""
    query = text(FIELD_NAMES[session.get_bind().dialect.name])
    return {str(name) for name in session.scalars(query, {"store": store_id})}


def _count(rule: AnyRule) -> int:
    return 1 + sum(_count(child) for child in rule.rules) if isinstance(rule, GroupRule) else 1


def check(session: Session, store_id: str, rule: AnyRule, path: str = "rule", top: bool = True) -> None:
    """A 422 naming the rule's path when it refers to what the store does not have."""
    if top and _count(rule) > MAX_RULES:
        raise invalid(path, f"a rule may hold at most {MAX_RULES} rules")
    if isinstance(rule, GroupRule):
        for i, child in enumerate(rule.rules):
            check(session, store_id, child, f"{path}.rules.{i}", top=False)
    elif isinstance(rule, FieldRule):
        known = field_names(session, store_id)
        if rule.name not in known:
            have = ", ".join(sorted(known)[:20]) or "none yet"
            raise invalid(f"{path}.name", f"unknown field '{rule.name}' (the store's contacts have: {have})")
        if rule.op in ("gt", "gte", "lt", "lte") and not isinstance(rule.value, int | float):
            raise invalid(f"{path}.value", f"'{rule.op}' compares numbers")
        if rule.op not in ("exists",) and rule.value is None:
            raise invalid(f"{path}.value", f"'{rule.op}' needs a value")
    elif isinstance(rule, TopicRule):
        owned(session, TOPICS, store_id, rule.topic, f"{path}.topic", "topic", by=TOPICS.c.key)
    elif isinstance(rule, PurchasedRule) and rule.product_id:
        owned(session, PRODUCTS, store_id, rule.product_id, f"{path}.product_id", "product")
    elif isinstance(rule, EnrolledRule | LessonsRule) and rule.course_id:
        owned(session, COURSES, store_id, rule.course_id, f"{path}.course_id", "course")


def owned(session: Session, kind: TableClause, store_id: str, ident: str, where: str, what: str,
          by: ColumnClause[Any] | None = None) -> None:  # fmt: skip
    """A 422 at `where` unless the store has this product, course, ... (a table with `store_id`)."""
    key = kind.c.id if by is None else by
    if session.scalar(select(key).where(key == ident, kind.c.store_id == store_id)) is None:
        raise invalid(where, f"the store has no {what} '{ident}'")


def as_json(rule: AnyRule) -> dict[str, Any]:
    return rule.model_dump(mode="json", exclude_defaults=True) | {"rule": rule.rule}
