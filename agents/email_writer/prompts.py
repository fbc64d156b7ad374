"""The email writer's prompts (short: the local model reads ~50 tokens a second)."""

SYSTEM = (
    "You write email sequences that sell online courses: first emails teach something useful from the course "
    "(nurture), the last ones invite the reader to enroll (pitch). Each email has a subject (under 60 characters), "
    "preview text, a body of 2-4 short paragraphs in plain words, a call to action, and send_after_days (days "
    "after the previous email). Promise only what the course material shows; no prices, no invented numbers. "
    "Reply in JSON."
)


def draft_prompt(course: str, material: str, brief: str, count: int, pitch: int, notes: list[str]) -> str:
    fixes = "".join(f"\n- {n}" for n in notes)
    return (
        f"Course: {course}\nWhat the course teaches (its own words):\n{material}\n\n"
        f"Request: {brief}\nWrite {count} emails: the first {count - pitch} teach (nurture), the last {pitch} "
        "invite the reader to enroll (pitch)." + (f"\nFix these in this version:{fixes}" if fixes else "")
    )
