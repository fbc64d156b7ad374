from agents.study_guides.support import check_claims, lexical_support

MATERIAL = "[1] (Gain)\n<material>\nGain staging sets the level at each stage.\n</material>\n[2] (Ears)\n<material>\nRest your ears.\n</material>"


def test_lexical_support_reads_only_the_cited_lessons() -> None:
    claim = {"type": "point", "text": "Gain staging sets levels at each stage.", "cites": [1]}
    assert lexical_support(claim, MATERIAL) == 1.0
    assert lexical_support(claim | {"cites": [2]}, MATERIAL) == 0.0


def test_either_check_saying_no_flags_the_claim() -> None:
    blocks = [
        {"type": "term", "term": "Gain staging", "definition": "Sets the level at each stage.", "cites": [1]},
        {"type": "point", "text": "Rest your ears.", "cites": [2]},
    ]
    report = check_claims(blocks, MATERIAL, 0.6, [True, False])
    assert [c["supported"] for c in report] == [True, False]
    assert report[1]["lexical"] == 1.0 and report[1]["model"] is False
    assert check_claims(blocks, MATERIAL, 0.6, None)[1]["supported"] is True


def test_a_term_its_lesson_never_names_is_flagged_even_when_its_words_are_there() -> None:
    material = (
        "[1] (Trees)\n<material>\nA decision tree splits data. Follow the trail of splits to a leaf.\n</material>"
    )
    made_up = {"type": "term", "term": "Decision trail", "definition": "A trail of splits in data.", "cites": [1]}
    named = made_up | {"term": "Decision tree"}
    report = check_claims([made_up, named], material, 0.6, None)
    assert [c["supported"] for c in report] == [False, True] and report[0]["lexical"] >= 0.6


def test_a_term_is_named_whatever_its_plural() -> None:
    material = "[1] (Scales)\n<material>\nA major scale has seven notes.\n</material>"
    term = {"type": "term", "term": "Major scales", "definition": "A major scale has seven notes.", "cites": [1]}
    assert check_claims([term], material, 0.6, None)[0]["term_named"] is True
