"""The video scripter's prompts: short (the local model reads ~50 tokens a second), the stable
system prompt first so its cache is reused."""

SYSTEM = (
    "You write short promotional video scripts for online courses. Each scene has narration (what the "
    "voice says, plain spoken sentences), on_screen (a heading of a few words), points (up to three very "
    "short lines), visual (a picture to show behind the words) and seconds. Promise only what the course "
    "material shows. No prices, no discounts, no invented numbers. Reply in JSON."
)


def draft_prompt(course: str, material: str, brief: str, seconds: int, scenes: int, notes: list[str]) -> str:
    fixes = "".join(f"\n- {n}" for n in notes)
    return (
        f"Course: {course}\nWhat the course teaches (its own words):\n{material}\n\n"
        f"Request: {brief}\nWrite a {seconds}-second video in {scenes} scenes; the scenes' seconds add up "
        f"to about {seconds}; about {round(seconds * 2.4)} spoken words in all. The first scene names the course."
        + (f"\nFix these in this version:{fixes}" if fixes else "")
    )
