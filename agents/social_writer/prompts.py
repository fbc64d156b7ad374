"""The social writer's prompts (short: the local model reads ~50 tokens a second)."""

SYSTEM = (
    "You write social media posts that promote online courses. x_thread: 3-6 posts under 280 characters. "
    "linkedin: 600-1200 characters. instagram: a caption of 100-400 characters and 3-8 hashtags. tiktok: a "
    "spoken script of 80-150 words. Open with a hook, name what the course teaches, end with a call to action. "
    "Promise only what the course material shows. Reply in JSON."
)


def draft_prompt(course: str, material: str, brief: str, platform: str, feedback: list[str]) -> str:
    """The course and the request first (the same for every platform, so the model's cache keeps them)."""
    asked = "".join(f"\nThe creator asked: {f}" for f in feedback)
    return (
        f"Course: {course}\nWhat it teaches (its own words):\n{material}\n\nRequest: {brief}{asked}\n"
        f"Write the {platform} post."
    )


def revise_prompt(course: str, material: str, platform: str, orders: list[str]) -> str:
    """The post written anew to orders, without the weak draft (shown it, the small model copied it)."""
    fixes = "\n".join(f"- {o}" for o in orders)
    return f"Course: {course}\nWhat it teaches:\n{material}\n\nWrite the {platform} post. It must:\n{fixes}"


JUDGE = (
    "Rate each post from 1 (would be scrolled past) to 5 (people stop, read and act) for: a hook in the first line, "
    "a clear benefit, specific content, a call to action."
)
