"""Consent before a store touches a person: granting access or membership by email invites them,
answers the same whether or not they have an account, and moves no personal data until they accept."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from core.db import Database, utcnow
from core.models import Invitation
from tests.conftest import PASSWORD, StoreWorld, login

VOLATILE = ("id", "email", "link", "created_at", "expires_at")


def _invite(client: TestClient, headers: dict[str, str], course_id: str, email: str) -> dict:
    response = client.post(f"/v1/courses/{course_id}/enrollments", json={"email": email}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _shape(answer: dict) -> dict:
    invitation = {k: v for k, v in answer["invitation"].items() if k not in VOLATILE}
    return {**answer, "invitation": invitation}


def _token(answer: dict) -> str:
    return answer["invitation"]["link"].rsplit("/invitations/", 1)[1]


def test_enrolling_an_email_answers_the_same_with_or_without_an_account(
    client: TestClient, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email)
    registered = _invite(client, owner, store_a.course_id, store_b.learner_email)
    unknown = _invite(client, owner, store_a.course_id, "nobody@example.com")
    assert registered["status"] == unknown["status"] == "invited"
    assert _shape(registered) == _shape(unknown)


def test_an_invited_person_is_not_a_member_until_they_accept(
    client: TestClient, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    owner = login(client, store_a.owner_email)
    _invite(client, owner, store_a.course_id, store_b.learner_email)
    members = client.get("/v1/store/members", headers=owner).json()
    assert store_b.learner_email not in [m["email"] for m in members]
    assert f"{store_b.slug} learner" not in [m["name"] for m in members]
    own_login = client.post("/v1/auth/login", json={"email": store_b.learner_email, "password": PASSWORD}).json()
    assert own_login["store"]["slug"] == "beta"  # their plain login still lands in their own store


def test_accepting_the_link_joins_and_enrolls(client: TestClient, store_a: StoreWorld, store_b: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    token = _token(_invite(client, owner, store_a.course_id, store_b.learner_email))
    view = client.get(f"/v1/invitations/by-token/{token}")
    assert view.status_code == 200 and view.json()["course"] == "alpha course"
    person = login(client, store_b.learner_email)
    accepted = client.post("/v1/invitations/accept", json={"token": token}, headers=person)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["store"]["slug"] == "alpha" and accepted.json()["role"] == "learner"
    joined = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    lesson = client.get(f"/v1/lessons/{store_a.paid_lesson_id}", headers=joined)
    assert lesson.status_code == 200
    listed = client.get("/v1/store/invitations", headers=owner).json()
    assert [(i["status"], i["link"]) for i in listed] == [("accepted", None)]


def test_only_the_invited_address_can_accept(client: TestClient, store_a: StoreWorld, store_b: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    token = _token(_invite(client, owner, store_a.course_id, "someone-else@example.com"))
    other = login(client, store_b.learner_email)
    refused = client.post("/v1/invitations/accept", json={"token": token}, headers=other)
    assert refused.status_code == 403 and refused.json()["reason"] == "other_email"


def test_signing_up_from_an_invitation_accepts_it(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    token = _token(_invite(client, owner, store_a.course_id, "fresh@example.com"))
    signup = client.post(
        "/v1/auth/signup", json={"email": "fresh@example.com", "password": PASSWORD, "invitation": token}
    )
    assert signup.status_code == 201, signup.text
    assert signup.json()["store"]["slug"] == "alpha"


def test_a_withdrawn_invitation_link_stops_working(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    answer = _invite(client, owner, store_a.course_id, "late@example.com")
    assert client.delete(f"/v1/invitations/{answer['invitation']['id']}", headers=owner).status_code == 200
    assert client.get(f"/v1/invitations/by-token/{_token(answer)}").status_code == 404


def test_an_expired_invitation_link_stops_working(client: TestClient, db: Database, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    answer = _invite(client, owner, store_a.course_id, "slow@example.com")
    with db.transaction() as s:
        s.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = client.get(f"/v1/invitations/by-token/{_token(answer)}")
    assert response.status_code == 404 and "expired" in response.json()["detail"]


def test_a_tampered_invitation_link_is_404(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    token = _token(_invite(client, owner, store_a.course_id, "x@example.com"))
    assert client.get(f"/v1/invitations/by-token/{token[:-2]}xx").status_code == 404


def test_adding_staff_by_email_invites_them(client: TestClient, store_a: StoreWorld, store_b: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    response = client.post("/v1/store/members", json={"email": store_b.owner_email, "role": "staff"}, headers=owner)
    assert response.status_code == 201 and response.json()["status"] == "invited"
    token = response.json()["invitation"]["link"].rsplit("/", 1)[1]
    accepted = client.post("/v1/invitations/accept", json={"token": token}, headers=login(client, store_b.owner_email))
    assert accepted.json()["role"] == "staff"


def test_changing_a_members_role_needs_no_invitation(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    response = client.post("/v1/store/members", json={"email": store_a.learner_email, "role": "staff"}, headers=owner)
    assert response.status_code == 201
    assert response.json()["status"] == "updated" and response.json()["member"]["role"] == "staff"


def test_inviting_twice_refreshes_one_invitation(client: TestClient, store_a: StoreWorld) -> None:
    owner = login(client, store_a.owner_email)
    first = _invite(client, owner, store_a.course_id, "twice@example.com")
    second = _invite(client, owner, store_a.course_id, "twice@example.com")
    assert first["invitation"]["id"] == second["invitation"]["id"]
    assert len(client.get("/v1/store/invitations", headers=owner).json()) == 1
