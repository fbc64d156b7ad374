"""A booking's calendar invitation, `invite.ics` (RFC 5545, with the iTIP methods of RFC 5546): one
event, in UTC, with its organiser (the store) and its attendee (the learner).

The UID is the booking's, so the calendar that took the invitation replaces it when the
cancellation (`METHOD:CANCEL`, `STATUS:CANCELLED`, a higher `SEQUENCE`) arrives, rather than adding
a second event. `icalendar` does the folding, escaping and CRLFs the RFC asks for."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from mail.providers.base import Attachment

PRODID = "-//Academy//Bookings//EN"


def invite(
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    url: str,
    stamp: datetime,
    cancelled: bool = False,
) -> Attachment:
    """The invitation (or its cancellation) for one booking, as a mail attachment.

    `organizer` and `attendee` are (name, email)."""
    method = "CANCEL" if cancelled else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{uid}@academy")
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    host = vCalAddress(f"mailto:{organizer[1]}")
    host.params["cn"] = vText(organizer[0])
    event.add("organizer", host)
    guest = vCalAddress(f"mailto:{attendee[1]}")
    guest.params["cn"] = vText(attendee[0] or attendee[1])
    guest.params["role"] = vText("REQ-PARTICIPANT")
    guest.params["partstat"] = vText("ACCEPTED")
    event.add("attendee", guest)
    calendar.add_component(event)
    return Attachment("invite.ics", f"text/calendar; method={method}; charset=utf-8", calendar.to_ical())
