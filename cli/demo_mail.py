"""The demo store's mail: its learner and buyer as contacts who agreed to its news, a welcome
template, one welcome broadcast to them, which the pump sends to the dev mailbox on the first
start, a "News" topic, and an active welcome sequence for whoever signs up on the store page from
then on (made once: later starts find it)."""

from __future__ import annotations

from sqlalchemy import select

from core.db import Database
from core.principal import Principal
from core.settings import Settings
from core.tenancy import in_store
from mail import broadcasts, contacts, library, topics
from mail.models import MailBroadcast
from mail.workflows import service as workflows

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


TIPS_SUBJECT = "Three ways to learn faster at {{ store.name }}"
TIPS_BODY = """<p>Hi {{ contact.first_name }},</p>
<p>Ask the course assistant about any lesson: it answers from the course, with the passage it used.
Mark lessons complete to keep your place. Ask for a cheat sheet when you want the whole course on a page.</p>
<p><a href="{{ store.url }}">Back to {{ store.name }}</a> · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>"""


def ensure_demo_mail(
    db: Database, settings: Settings, store_id: str, owner_id: str, people: list[tuple[str, str]]
) -> bool:
    """Idempotent; whether the broadcast was made now (it goes out with the pump's next pass)."""
    owner = Principal.system(store_id, user_id=owner_id)
    with db.transaction() as s:
        if s.scalar(select(MailBroadcast.id).where(in_store(MailBroadcast, store_id), MailBroadcast.name == BROADCAST)):
            return False
        for email, name in people:
            contacts.upsert(s, store_id, email, name, "demo", subscribed=True)
        template = library.create_template(s, owner, settings, "Welcome", SUBJECT, BODY)
        broadcast = broadcasts.create_broadcast(s, owner, BROADCAST, template.id)
        broadcasts.schedule(s, owner, broadcast.id)
        topics.create_topic(s, owner, "news", "News and new lessons")
        tips = library.create_template(s, owner, settings, "Tips", TIPS_SUBJECT, TIPS_BODY)
        graph = workflows.sequence({"type": "contact_added"}, [(template.id, 0), (tips.id, 86400)])
        sequence = workflows.create_workflow(s, owner, "Welcome sequence", graph)
        workflows.activate(s, owner, sequence.id)
        return True
