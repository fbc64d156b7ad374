"""A workflow's graph: a trigger, a start node and named nodes, typed, and checked whole before it
can be published.

Nodes: `send_email` (a template), `delay`, `wait` (for an event, with a timeout and a branch for
each outcome), `condition` (an audience rule, `mail.rules`: a yes and a no branch), `action` (add or
remove a tag, give a coupon code, enroll in a course, tell the creator) and `exit`. `check` refuses
what could not run as drawn, naming the node: a branch to a node that does not exist, a node no path
reaches, a loop with no delay or wait in it (it would spin at once), a template, course, product or
coupon the store does not have."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from core.errors import invalid
from mail.rules import COURSES, KINDS, PRODUCTS, Rule, error_path, owned
from mail.rules import check as check_rule

TEMPLATES = table("mail_templates", column("id"), column("store_id"))
COUPONS = table("coupons", column("store_id"), column("code"), column("active"))
NODE_TYPES = ("send_email", "delay", "wait", "condition", "action", "exit")
NAME = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
MAX_NODES = 100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Trigger(_Strict):
    type: Literal["contact_added", "tag_added", "purchase", "enrollment", "lesson_completed", "date"] = Field(
        description="contact_added: a contact subscribes; date: every subscribed contact (with `tag`) at `at`."
    )
    tag: str | None = Field(default=None, max_length=40, description="tag_added (which tag), date (who).")
    product_id: str | None = Field(default=None, max_length=40, description="purchase: only of this product.")
    course_id: str | None = Field(default=None, max_length=40, description="enrollment, lesson_completed.")
    at: datetime | None = Field(default=None, description="date: when.")


class SendEmail(_Strict):
    type: Literal["send_email"]
    template_id: str = Field(max_length=40)
    next: str


class Delay(_Strict):
    type: Literal["delay"]
    seconds: int = Field(ge=60, le=366 * 86400, description="At least a minute.")
    next: str


class Wait(_Strict):
    type: Literal["wait"]
    event: Literal["tag_added", "purchase", "enrollment", "lesson_completed"]
    tag: str | None = Field(default=None, max_length=40)
    product_id: str | None = Field(default=None, max_length=40)
    course_id: str | None = Field(default=None, max_length=40)
    timeout_seconds: int = Field(ge=60, le=366 * 86400)
    next: str = Field(description="Where a run goes when the event comes.")
    timeout_next: str = Field(description="Where it goes when the timeout passes first.")


class Condition(_Strict):
    type: Literal["condition"]
    rule: Rule
    yes: str
    no: str


class Action(_Strict):
    type: Literal["action"]
    action: Literal["add_tag", "remove_tag", "grant_coupon", "enroll", "notify_creator"]
    tag: str | None = Field(default=None, max_length=40)
    coupon_code: str | None = Field(default=None, max_length=40, description="Kept as the contact's field `coupon`.")
    course_id: str | None = Field(default=None, max_length=40)
    message: str | None = Field(default=None, max_length=500)
    next: str


class Exit(_Strict):
    type: Literal["exit"]


Node = Annotated[SendEmail | Delay | Wait | Condition | Action | Exit, Field(discriminator="type")]


class Graph(_Strict):
    trigger: Trigger
    start: str
    nodes: dict[str, Node] = Field(min_length=1, max_length=MAX_NODES)


GRAPH: TypeAdapter[Graph] = TypeAdapter(Graph)


def parse(data: Any, field: str = "graph") -> Graph:
    try:
        return GRAPH.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise invalid(error_path(field, first["loc"], KINDS + NODE_TYPES), first["msg"]) from None


def branches(node: Any) -> list[tuple[str, str]]:
    """(member, target) for every way out of a node."""
    names = {"send_email": ("next",), "delay": ("next",), "action": ("next",), "exit": (),
             "wait": ("next", "timeout_next"), "condition": ("yes", "no")}[node.type]  # fmt: skip
    return [(name, getattr(node, name)) for name in names]


def _require(value: str | None, where: str, what: str) -> str:
    if not value:
        raise invalid(where, f"needs {what}")
    return value


def _owned(session: Session, store_id: str, where: str, kind: str, ident: str | None) -> None:
    if ident is not None:
        owned(session, {"product": PRODUCTS, "course": COURSES, "template": TEMPLATES}[kind], store_id, ident,
              where, kind)  # fmt: skip


def _check_loops(graph: Graph) -> None:
    """Every cycle must pass through a delay or a wait, else a run would go round it at once."""
    instant = {name for name, node in graph.nodes.items() if node.type not in ("delay", "wait")}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for _, target in branches(graph.nodes[name]):
            if target not in instant:
                continue
            if state.get(target) == 1:
                loop = " → ".join([*path[path.index(target) :], target])
                raise invalid(f"graph.nodes.{target}", f"a loop with no delay or wait: {loop}")
            if target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(instant):
        if name not in state:
            visit(name, [name])


def check(session: Session, store_id: str, graph: Graph) -> None:
    """A 422 naming the first thing that makes the graph unable to run as drawn."""
    trigger = graph.trigger
    if trigger.type == "tag_added":
        _require(trigger.tag, "graph.trigger.tag", "the tag that starts it")
    if trigger.type == "date" and trigger.at is None:
        raise invalid("graph.trigger.at", "needs the time it starts")
    _owned(session, store_id, "graph.trigger.product_id", "product", trigger.product_id)
    _owned(session, store_id, "graph.trigger.course_id", "course", trigger.course_id)
    if graph.start not in graph.nodes:
        raise invalid("graph.start", f"no node is named '{graph.start}'")
    for name, node in graph.nodes.items():
        where = f"graph.nodes.{name}"
        if not NAME.match(name):
            raise invalid(where, "a node's name is 1-60 letters, digits, '-' or '_'")
        for member, target in branches(node):
            if target not in graph.nodes:
                raise invalid(f"{where}.{member}", f"no node is named '{target}'")
        if node.type == "send_email":
            _owned(session, store_id, f"{where}.template_id", "template", node.template_id)
        elif node.type == "wait":
            if node.event == "tag_added":
                _require(node.tag, f"{where}.tag", "the tag it waits for")
            _owned(session, store_id, f"{where}.product_id", "product", node.product_id)
            _owned(session, store_id, f"{where}.course_id", "course", node.course_id)
        elif node.type == "condition":
            check_rule(session, store_id, node.rule, f"{where}.rule")
        elif node.type == "action":
            _check_action(session, store_id, where, node)
    reached, todo = {graph.start}, [graph.start]
    while todo:
        for _, target in branches(graph.nodes[todo.pop()]):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    unreachable = sorted(set(graph.nodes) - reached)
    if unreachable:
        raise invalid(f"graph.nodes.{unreachable[0]}", f"no path from '{graph.start}' reaches it")
    _check_loops(graph)


def _check_action(session: Session, store_id: str, where: str, node: Action) -> None:
    if node.action in ("add_tag", "remove_tag"):
        _require(node.tag, f"{where}.tag", "the tag")
    elif node.action == "grant_coupon":
        code = _require(node.coupon_code, f"{where}.coupon_code", "a coupon code")
        found = session.scalar(select(COUPONS.c.code).where(COUPONS.c.store_id == store_id, COUPONS.c.code == code))
        if found is None:
            raise invalid(f"{where}.coupon_code", f"the store has no coupon '{code}'")
    elif node.action == "enroll":
        _owned(
            session,
            store_id,
            f"{where}.course_id",
            "course",
            _require(node.course_id, f"{where}.course_id", "a course"),
        )
    elif node.action == "notify_creator":
        _require(node.message, f"{where}.message", "what to tell the creator")
