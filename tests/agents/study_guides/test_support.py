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
