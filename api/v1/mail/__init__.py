"""Contacts, templates, segments, workflows, broadcasts, sign-ups and providers' events (`mail`)."""
