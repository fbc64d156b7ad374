"""Mail: contacts and consent, templates, segments, broadcasts, workflows, the fair send queue, the
providers and their delivery events."""
