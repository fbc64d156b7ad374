from agents.course_assistant.citations import CitationBook

PASSAGES = [
    {
        "lesson_id": "l1",
        "text": "A deceptive cadence moves from the dominant chord to the submediant instead of the tonic.",
    },
    {"lesson_id": "l2", "text": "Compression reduces the dynamic range of a signal above a threshold."},
]


def book() -> CitationBook:
    b = CitationBook()
    for p in PASSAGES:
        b.add(p)
    return b


def test_passages_are_numbered_once_in_order_of_first_sight() -> None:
    b = book()
    assert b.add(PASSAGES[0]) == 1 and b.add({"lesson_id": "l3", "text": "new"}) == 3


def test_only_numbers_that_point_at_a_passage_are_citations() -> None:
    assert [n for n, _ in book().cited("Yes [2]. No [9]. Again [2] and [1].")] == [2, 1]


def test_uncited_grounded_sentences_get_their_passage() -> None:
    answer = "A deceptive cadence goes from the dominant chord to the submediant. Music is fun."
    assert (
        book().attach_citations(answer)
        == "A deceptive cadence goes from the dominant chord to the submediant [1]. Music is fun."
    )


def test_sentences_the_model_cited_are_left_alone() -> None:
    answer = "Compression reduces dynamic range [2]."
    assert book().attach_citations(answer) == answer


def test_no_passages_no_change() -> None:
    assert CitationBook().attach_citations("The course does not cover this.") == "The course does not cover this."
