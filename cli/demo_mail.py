"""The demo store's mail: its learner and buyer as contacts who agreed to its news, a welcome
template, and one welcome broadcast to them, which the pump sends to the dev mailbox on the first
start (made once: later starts find it)."""

from __future__ import annotations

from sqlalchemy import select

from core.db import Database
from core.principal import Principal
from core.settings import Settings
from mail import broadcasts, contacts, library
from mail.models import MailBroadcast

BROADCAST = "Welcome to the demo store"
SUBJECT = "Welcome to {{ store.name }}, {{ contact.first_name }}"
BODY = """<mjml>
  <mj-head><mj-attributes><mj-all font-family="Helvetica, Arial, sans-serif" /></mj-attributes></mj-head>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff" padding="24px">
      <mj-column>
        <mj-text font-size="22px" font-weight="bold" color="#1d1d1f">Hi {{ contact.first_name }},</mj-text>
        <mj-text font-size="16px" line-height="1.5" color="#1d1d1f">Welcome to {{ store.name }}. The course
          assistant answers from the lessons you can read, with the passage it used; ask it anything.</mj-text>
        <mj-button href="{{ store.url }}" background-color="#2f5fd0">See what is on offer</mj-button>
        <mj-text font-size="12px" color="#5f6368">
          <a href="{{ unsubscribe_url }}">Unsubscribe</a> from our news.</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>"""


def ensure_demo_mail(
    db: Database, settings: Settings, store_id: str, owner_id: str, people: list[tuple[str, str]]
) -> bool:
    """Idempotent; whether the broadcast was made now (it goes out with the pump's next pass)."""
    owner = Principal.system(store_id, user_id=owner_id)
    with db.transaction() as s:
        if s.scalar(
            select(MailBroadcast.id).where(MailBroadcast.store_id == store_id, MailBroadcast.name == BROADCAST)
        ):
            return False
        for email, name in people:
            contacts.upsert(s, store_id, email, name, "demo", subscribed=True)
        template = library.create_template(s, owner, settings, "Welcome", SUBJECT, BODY)
        broadcast = broadcasts.create_broadcast(s, owner, BROADCAST, template.id)
        broadcasts.schedule(s, owner, broadcast.id)
        return True
