"""A lesson's Markdown as it is read aloud (and as the marketing agents read the course)."""

from __future__ import annotations

from media.speech.markdown import spoken


def test_headings_paragraphs_and_list_items_become_sentences() -> None:
    text = spoken("# Cadences\n\nA cadence ends a phrase\n\n- The authentic cadence\n- The half cadence!")
    assert text.split("\n\n") == ["Cadences.", "A cadence ends a phrase.", "The authentic cadence.",
                                  "The half cadence!"]  # fmt: skip


def test_code_is_announced_not_spelled_out_and_tables_are_not_read() -> None:
    text = spoken("Look:\n\n```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nDone.")
    assert text == "Look:\n\nThere is a code example here to look at.\n\nDone."


def test_markup_left_as_text_is_not_read() -> None:
    # Open Music Theory's images link through a site generator's tag, which CommonMark leaves as text;
    # the social writer once put '[![]({{ site.url }}/Graphics/…)]' in a post.
    body = (
        "See the melody.\n\n[![]({{ site.url }}/Graphics/demoMel.png)]({{ site.url }}/Graphics/demoMel.png)\n\n"
        "Read [the notation]({{ site.url }}/notation.html) first."
    )
    assert spoken(body) == "See the melody.\n\nRead the notation first."
