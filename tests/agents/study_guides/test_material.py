from agents.study_guides.material import build_group, group_modules, pick, sentences

LESSON = (
    "# Compression\n\nSome history first, long and not needed here at all today. A **compressor** "
    "turns loud parts down. ```python\nignored = True\n``` Attack is how fast it reacts. See [the docs](http://x) for more on attack times."
)


def test_term_sentences_come_first_within_the_budget() -> None:
    kept = pick(LESSON, 80, 400)
    assert kept == ["A compressor turns loud parts down."]


def test_markup_code_and_link_targets_are_gone() -> None:
    plain = " ".join(s for s, _ in sentences(LESSON))
    assert "**" not in plain and "ignored" not in plain and "http" not in plain and "the docs" in plain


def test_headings_bare_list_items_and_asides_to_the_reader_are_not_offered() -> None:
    lesson = (
        "## Introduction to classification\n\nClassification is a form of supervised learning.\n"
        "- Uses the one-vs-rest scheme\n- Neural networks are too heavy.\n\n"
        "This lesson is available in R! Now you are ready to train your model."
    )
    assert pick(lesson, 1000, 400) == [
        "Classification is a form of supervised learning.",
        "Neural networks are too heavy.",
    ]


def test_sentences_longer_than_an_entry_may_be_are_not_offered() -> None:
    long = "Attack is " + "very " * 60 + "fast."
    assert pick(long, 2000, 220) == [] and pick(long, 2000, 400) == [long]


def test_modules_merge_when_there_are_more_than_sections() -> None:
    modules = [("A", [1]), ("B", [2]), ("C", [3]), ("Empty", [])]
    assert group_modules(modules, 2) == [("A / B", [1, 2]), ("C", [3])]
    assert group_modules(modules, 8) == [("A", [1]), ("B", [2]), ("C", [3])]
    nine = [(str(i), [i]) for i in range(9)]
    assert [len(numbers) for _, numbers in group_modules(nine, 8)] == [1, 1, 1, 1, 2, 1, 1, 1]


def test_a_group_labels_its_sentences_across_its_lessons() -> None:
    other = "Attack is how fast a compressor reacts to a peak."
    group = build_group("Mixing", [3, 4], {3: "Compression", 4: "Attack"}, {3: LESSON, 4: other}, 600)
    assert group["sources"] == [3, 4] and group["material"].startswith("[3] (Compression)\n<material>\nS1: ")
    assert group["sentences"]["S2"] == {"n": 3, "text": "A compressor turns loud parts down."}  # lesson order
    last = f"S{len(group['sentences'])}"
    assert group["sentences"][last] == {"n": 4, "text": other} and f"{last}: {other}" in group["material"]


def test_a_lesson_with_no_sentence_to_offer_is_not_a_source() -> None:
    group = build_group("Mixing", [3, 4], {3: "Compression", 4: "Empty"}, {3: LESSON, 4: "# Just a heading"}, 600)
    assert group["sources"] == [3] and "[4]" not in group["material"]


def test_a_fragment_left_by_a_split_is_not_offered() -> None:
    assert pick("of Academic Technology Services, University of Delaware Dept.", 1000, 400) == []
