from agents.study_guides.material import build_group, excerpt, group_modules, sentences

LESSON = (
    "# Compression\n\nSome history first, long and not needed here at all today. A **compressor** "
    "turns loud parts down. ```python\nignored = True\n``` Attack is how fast it reacts. See [the docs](http://x) for more."
)


def test_defining_sentences_come_first_within_the_budget() -> None:
    text = excerpt(LESSON, 80)
    assert "compressor turns loud parts down." in text and "history" not in text


def test_markup_code_and_link_targets_are_gone() -> None:
    plain = " ".join(s for s, _ in sentences(LESSON))
    assert "**" not in plain and "ignored" not in plain and "http" not in plain and "the docs" in plain


def test_modules_merge_when_there_are_more_than_sections() -> None:
    modules = [("A", [1]), ("B", [2]), ("C", [3]), ("Empty", [])]
    assert group_modules(modules, 2) == [("A / B", [1, 2]), ("C", [3])]
    assert group_modules(modules, 8) == [("A", [1]), ("B", [2]), ("C", [3])]
    nine = [(str(i), [i]) for i in range(9)]
    assert [len(numbers) for _, numbers in group_modules(nine, 8)] == [1, 1, 1, 1, 2, 1, 1, 1]


def test_a_group_numbers_its_lessons_as_sources() -> None:
    group = build_group("Mixing", [3], {3: "Compression"}, {3: LESSON}, 600)
    assert group["sources"] == [3] and group["material"].startswith("[3] (Compression)\n<material>\n")
