"""Resend's delivery events in the mail service's own kinds."""

from __future__ import annotations

import pytest

from mail.inbound.resend import delivery


@pytest.mark.parametrize(
    ("kind", "ours"),
    [
        ("email.delivered", "delivered"),
        ("email.opened", "opened"),
        ("email.clicked", "clicked"),
        ("email.complained", "complained"),
        ("email.bounced", "bounced"),
        ("email.sent", None),
        ("contact.created", None),
    ],
)
def test_each_resend_event_maps_to_a_kind_or_to_none(kind: str, ours: str | None) -> None:
    assert delivery({"type": kind, "data": {"email_id": "re_1"}}).kind == ours


@pytest.mark.parametrize(("bounce", "hard"), [("Permanent", True), ("hard", True), ("Transient", False)])
def test_a_bounce_says_whether_it_is_permanent(bounce: str, hard: bool) -> None:
    event = delivery({"type": "email.bounced", "data": {"email_id": "re_1", "bounce": {"type": bounce}}})
    assert (event.message_id, event.hard_bounce) == ("re_1", hard)


def test_an_event_without_data_is_about_no_known_message() -> None:
    event = delivery({"type": "email.delivered", "data": "nothing"})
    assert event.message_id == "" and event.hard_bounce is False
