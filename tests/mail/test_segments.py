"""Segments: rules over what a store knows of its contacts, counted in SQL; a broadcast to a segment
reaches its members only; a rule naming what the store does not have is refused with its path."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from core.db import Database, utcnow
from core.errors import Conflict, ValidationFailed
from core.principal import Principal
from core.settings import Settings
from courses import enrollments
from mail import broadcasts, library, segments
from mail.models import Contact, MailMessage
from mail.tasks import pump
from mail.transactional import collect
from tests.conftest import StoreWorld, principal_of
from tests.mail.factories import bought, contact


def count(db: Database, owner: Principal, rule: dict[str, Any]) -> int:
    with db.transaction() as s:
        return segments.preview(s, owner, segments.parse_rule(rule)).count


def test_a_tag_rule_and_its_negation_split_the_contacts(db: Database, store_a: StoreWorld) -> None:
    contact(db, store_a, "vip@example.com", tags=["vip", "producer"])
    contact(db, store_a, "fan@example.com", tags=["producer"])
    contact(db, store_a, "new@example.com")
    assert count(db, store_a.owner, {"rule": "tag", "tag": "vip"}) == 1
    assert count(db, store_a.owner, {"rule": "tag", "tag": "vip", "negate": True}) == 2
    both = {"rule": "all", "rules": [{"rule": "tag", "tag": "producer"}, {"rule": "tag", "tag": "vip", "negate": True}]}
    assert count(db, store_a.owner, both) == 1


def test_field_rules_compare_text_and_numbers(db: Database, store_a: StoreWorld) -> None:
    contact(db, store_a, "a@example.com", level="Beginner", sessions=3)
    contact(db, store_a, "b@example.com", level="advanced", sessions=12)
    contact(db, store_a, "c@example.com")
    assert count(db, store_a.owner, {"rule": "field", "name": "level", "op": "eq", "value": "advanced"}) == 1
    assert count(db, store_a.owner, {"rule": "field", "name": "level", "op": "contains", "value": "begin"}) == 1
    assert count(db, store_a.owner, {"rule": "field", "name": "sessions", "op": "gte", "value": 10}) == 1
    assert count(db, store_a.owner, {"rule": "field", "name": "level", "op": "exists"}) == 2
    assert count(db, store_a.owner, {"rule": "field", "name": "level", "op": "ne", "value": "advanced"}) == 2


def test_a_rule_on_an_unknown_field_is_refused_with_its_path(db: Database, store_a: StoreWorld) -> None:
    contact(db, store_a, "a@example.com", level="pro")
    rule = {"rule": "any", "rules": [{"rule": "tag", "tag": "x"}, {"rule": "field", "name": "levle", "value": "pro"}]}
    with pytest.raises(ValidationFailed) as raised:
        count(db, store_a.owner, rule)
    assert raised.value.errors[0].field == "rule.rules.1.name"
    assert "unknown field 'levle'" in raised.value.errors[0].message and "level" in raised.value.errors[0].message


def test_an_unknown_rule_kind_is_refused_naming_it() -> None:
    with pytest.raises(ValidationFailed) as raised:
        segments.parse_rule({"rule": "all", "rules": [{"rule": "zodiac", "sign": "leo"}]})
    assert raised.value.errors[0].field == "rule.rules.0" and "zodiac" in raised.value.errors[0].message


def test_a_product_of_another_store_is_refused(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    s, _ = bought(db, settings)
    with pytest.raises(ValidationFailed) as raised:
        count(db, store_a.owner, {"rule": "purchased", "product_id": s.product_id})
    assert raised.value.errors[0].field == "rule.product_id"


def test_buyers_of_a_product_are_its_segment(db: Database, settings: Settings) -> None:
    s, _ = bought(db, settings)
    collect(db, settings)  # the buyer becomes a contact
    contact(db, s.world, "browser@example.com")
    assert count(db, s.world.owner, {"rule": "purchased", "product_id": s.product_id}) == 1
    assert count(db, s.world.owner, {"rule": "purchased", "negate": True}) == 1


def test_enrolled_learners_and_their_progress_are_rules(db: Database, store_a: StoreWorld) -> None:
    contact(db, store_a, store_a.learner_email)
    contact(db, store_a, "stranger@example.com")
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    assert count(db, store_a.owner, {"rule": "enrolled", "course_id": store_a.course_id}) == 1
    assert count(db, store_a.owner, {"rule": "lessons_completed", "at_least": 1}) == 0
    with db.transaction() as s:
        enrollments.complete_lesson(s, learner, store_a.preview_lesson_id)
        enrollments.complete_lesson(s, learner, store_a.paid_lesson_id)
    rule = {"rule": "lessons_completed", "at_least": 2, "course_id": store_a.course_id}
    assert count(db, store_a.owner, rule) == 1
    assert count(db, store_a.owner, {**rule, "at_least": 3}) == 0


def test_last_activity_is_a_rule(db: Database, store_a: StoreWorld) -> None:
    recent, old = contact(db, store_a, "recent@example.com"), contact(db, store_a, "old@example.com")
    contact(db, store_a, "never@example.com")
    with db.transaction() as s:
        s.execute(update(Contact).where(Contact.id == recent).values(last_activity_at=utcnow() - timedelta(days=2)))
        s.execute(update(Contact).where(Contact.id == old).values(last_activity_at=utcnow() - timedelta(days=90)))
    assert count(db, store_a.owner, {"rule": "active", "within_days": 30}) == 1
    assert count(db, store_a.owner, {"rule": "active", "within_days": 30, "negate": True}) == 2


def test_a_preview_counts_who_may_get_marketing_and_shows_a_few(db: Database, store_a: StoreWorld) -> None:
    contact(db, store_a, "yes@example.com", tags=["t"])
    contact(db, store_a, "no@example.com", subscribed=False, tags=["t"])
    with db.transaction() as s:
        seen = segments.preview(s, store_a.owner, segments.parse_rule({"rule": "tag", "tag": "t"}))
        assert (seen.count, seen.subscribed) == (2, 1)
        assert sorted(c.email for c in seen.sample) == ["no@example.com", "yes@example.com"]


def test_a_broadcast_to_a_segment_reaches_only_its_subscribed_members(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    contact(db, store_a, "in@example.com", tags=["beta"])
    contact(db, store_a, "out@example.com")
    contact(db, store_a, "unsure@example.com", subscribed=False, tags=["beta"])
    with db.transaction() as s:
        segment = segments.create_segment(s, store_a.owner, "Beta", segments.parse_rule({"rule": "tag", "tag": "beta"}))
        template = library.create_template(s, store_a.owner, settings, "N", "News", "<p>Hi</p>")
        made = broadcasts.create_broadcast(s, store_a.owner, "Beta news", template.id, segment_id=segment.id)
        assert broadcasts.audience_size(s, made) == 1
        broadcasts.schedule(s, store_a.owner, made.id)
    while pump(db, settings).more:
        pass
    with db.transaction() as s:
        assert list(s.scalars(select(MailMessage.to_email).where(MailMessage.kind == "broadcast"))) == [
            "in@example.com"
        ]


def test_a_segment_a_broadcast_uses_cannot_be_deleted(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        segment = segments.create_segment(s, store_a.owner, "All", segments.parse_rule({"rule": "status",
                                                                                       "status": "subscribed"}))  # fmt: skip
        template = library.create_template(s, store_a.owner, settings, "N", "News", "<p>Hi</p>")
        broadcasts.create_broadcast(s, store_a.owner, "To all", template.id, segment_id=segment.id)
    with pytest.raises(Conflict, match="uses this segment"), db.transaction() as s:
        segments.delete_segment(s, store_a.owner, segment.id)


@pytest.mark.parametrize("name", ['say "hi"', "größe", "genre 🎵", "back\\slash", "a.b", "it's", "[0]", "$.x"])
def test_a_field_rule_matches_whatever_the_fields_name_holds(db: Database, store_a: StoreWorld, name: str) -> None:
    contact(db, store_a, "a@example.com", **{name: "Large"})
    contact(db, store_a, "b@example.com", **{name: "Small"})
    assert count(db, store_a.owner, {"rule": "field", "name": name, "op": "eq", "value": "Large"}) == 1
    assert count(db, store_a.owner, {"rule": "field", "name": name, "op": "exists"}) == 2
