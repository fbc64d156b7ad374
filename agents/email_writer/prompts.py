"""The email writer's prompts (short: the local model reads ~50 tokens a second)."""

SYSTEM = (
    "You write email sequences that sell online courses: first emails teach something useful from the course "
    "(nurture), the last ones invite the reader to enroll (pitch). Each email has a subject (under 60 characters), "
    "preview text, a body of 2-4 short paragraphs in plain words, a call to action, and send_after_days (days "
    "after the previous email). Promise only what the course material shows; no prices, no invented numbers. "
    "Reply in JSON."
)


def email_prompt(course: str, source: str, brief: str, n: int, count: int, kind: str, said: list[str],
                 notes: list[str]) -> str:  # fmt: skip
    """Email `n` of `count`: a nurture email teaches one idea of its lesson, a pitch invites to enroll."""
    job = ("teach one useful idea from this lesson, in plain words" if kind == "nurture"
           else "invite the reader to enroll, naming what the course covers")  # fmt: skip
    heading = "The lesson" if kind == "nurture" else "The course covers"
    used = f"\nSubjects already used (say something new): {'; '.join(said)}" if said else ""
    fixes = "".join(f"\n- {x}" for x in notes)
    return (
        f"Course: {course}\nRequest: {brief}\n{heading}:\n{source}\n\n"
        f"Write email {n} of {count}, a {kind} email: {job}.{used}"
        + (f"\nFix these in this version:{fixes}" if fixes else "")
    )
