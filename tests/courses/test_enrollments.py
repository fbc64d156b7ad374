import pytest

from core import identity, invitations
from core.db import Database
from core.errors import Forbidden, NotFound
from core.models import Invitation
from courses import catalog, enrollments
from courses.models import Enrollment
from tests.conftest import PASSWORD, StoreWorld, principal_of


def test_granting_to_a_registered_outsider_invites_instead_of_adding(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        identity.create_user(s, "newbie@example.com", PASSWORD)
        outcome = enrollments.grant_or_invite(s, store_a.owner, store_a.course_id, "newbie@example.com")
        assert isinstance(outcome, Invitation) and outcome.status == "pending"
    with pytest.raises(NotFound, match="no store"):
        principal_of(db, "newbie@example.com", store_a.store_id)


def test_granting_to_a_member_enrolls_at_once(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        outcome = enrollments.grant_or_invite(s, store_a.owner, store_a.course_id, store_a.learner_email)
        assert isinstance(outcome, Enrollment) and outcome.revoked_at is None


def test_direct_grant_to_a_non_member_is_404(db: Database, store_a: StoreWorld) -> None:
    with pytest.raises(NotFound, match="invite them"), db.transaction() as s:
        enrollments.grant_enrollment(s, store_a.owner, store_a.course_id, "ghost@example.com")


def test_accepting_a_course_invitation_joins_the_store_and_enrolls(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        user = identity.create_user(s, "invitee@example.com", PASSWORD)
        invitation = enrollments.grant_or_invite(s, store_a.owner, store_a.course_id, user.email)
        assert isinstance(invitation, Invitation)
        enrollments.accept_invitation(s, "k" * 40, invitations.token_for("k" * 40, invitation), user)
    learner = principal_of(db, "invitee@example.com", store_a.store_id)
    with db.transaction() as s:
        assert learner.role == "learner"
        assert [e.course_id for e, _ in enrollments.my_enrollments(s, learner)] == [store_a.course_id]


def test_regrant_after_revoke_reactivates_one_enrollment(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        page = enrollments.list_enrollments(s, store_a.owner, store_a.course_id, None, 10)
        enrollments.revoke_enrollment(s, store_a.owner, page.items[0].id)
        again = enrollments.grant_enrollment(s, store_a.owner, store_a.course_id, store_a.learner_email)
        assert again.id == page.items[0].id and again.revoked_at is None
        assert len(enrollments.list_enrollments(s, store_a.owner, store_a.course_id, None, 10).items) == 1


def test_self_enroll_only_in_free_courses(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        identity.join_store_as_learner(
            s, identity.create_user(s, "walkin@example.com", PASSWORD), identity.get_store(s, store_a.owner)
        )
    walkin = principal_of(db, "walkin@example.com", store_a.store_id)
    with pytest.raises(Forbidden, match="not free"), db.transaction() as s:
        enrollments.self_enroll(s, walkin, store_a.course_id)
    with db.transaction() as s:
        catalog.update_course(s, store_a.owner, store_a.course_id, {"is_free": True})
    with db.transaction() as s:
        assert enrollments.self_enroll(s, walkin, store_a.course_id).source == "self"


def test_progress_counts_completions_and_suggests_next(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        enrollments.complete_lesson(s, learner, store_a.preview_lesson_id)
        first = enrollments.complete_lesson(s, learner, store_a.preview_lesson_id)  # idempotent
        progress = enrollments.course_progress(s, learner, store_a.course_id)
    assert progress.completed_lesson_ids == [first.lesson_id]
    assert (progress.available_lessons, progress.total_lessons) == (2, 3)
    assert progress.percent == pytest.approx(33.3)
    assert progress.next_lesson_id == store_a.paid_lesson_id


def test_cannot_complete_a_locked_lesson(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with pytest.raises(Forbidden), db.transaction() as s:
        enrollments.complete_lesson(s, learner, store_a.drip_lesson_id)


def test_uncomplete_removes_the_completion(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        enrollments.complete_lesson(s, learner, store_a.paid_lesson_id)
        enrollments.uncomplete_lesson(s, learner, store_a.paid_lesson_id)
        assert enrollments.course_progress(s, learner, store_a.course_id).completed_lesson_ids == []
