from agents.study_guides.state import Group, Sentence
from agents.study_guides.support import check_claims, expand, lexical_support

MATERIAL = "[1] (Gain)\n<material>\nS1: Gain staging sets the level at each stage.\n</material>\n[2] (Ears)\n<material>\nS2: Rest your ears.\n</material>"
GAIN = "Gain staging sets the level at each stage."


def group(*texts: str) -> Group:
    labelled = {f"S{i}": Sentence(n=i, text=t) for i, t in enumerate(texts, start=1)}
    return Group(heading="H", sources=list(range(1, len(texts) + 1)), material="", sentences=labelled)


def test_lexical_support_reads_only_the_cited_lessons() -> None:
    claim = {"type": "point", "text": "Gain staging sets levels at each stage.", "cites": [1]}
    assert lexical_support(claim, MATERIAL) == 1.0
    assert lexical_support(claim | {"cites": [2]}, MATERIAL) == 0.0


def test_either_check_saying_no_flags_the_claim() -> None:
    blocks = [
        {"type": "term", "term": "Gain staging", "definition": GAIN, "cites": [1]},
        {"type": "term", "term": "Gain staging", "definition": GAIN, "cites": [1]},
    ]
    report = check_claims(blocks, MATERIAL, 0.6, [True, False])
    assert [c["supported"] for c in report] == [True, False]
    assert report[1]["lexical"] == 1.0 and report[1]["model"] is False
    assert check_claims(blocks, MATERIAL, 0.6, None)[1]["supported"] is True


def test_a_term_its_sentence_never_names_is_flagged() -> None:
    sentence = "A decision tree splits data; follow the trail of splits to a leaf."
    made_up = {"type": "term", "term": "Decision trail", "definition": sentence, "cites": [1]}
    named = made_up | {"term": "Decision tree"}
    material = f"[1] (Trees)\n<material>\nS1: {sentence}\n</material>"
    report = check_claims([made_up, named], material, 0.6, None)
    assert [c["supported"] for c in report] == [False, True] and report[0]["lexical"] >= 0.6


def test_a_term_is_named_whatever_its_plural() -> None:
    term = {"type": "term", "term": "Lag", "definition": "These previous values are called 'lags'.", "cites": [1]}
    material = "[1] (Lags)\n<material>\nS1: These previous values are called 'lags'.\n</material>"
    assert check_claims([term], material, 0.6, None)[0]["term_named"] is True


def test_a_pick_becomes_its_sentence_citing_its_lesson() -> None:
    picks = [{"type": "term", "term": "Gain staging", "sentence": "S1"}, {"type": "point", "sentence": "S2"}]
    assert expand(picks, group(GAIN, "Rest your ears.")) == [
        {"type": "term", "term": "Gain staging", "definition": GAIN, "cites": [1]},
        {"type": "point", "text": "Rest your ears.", "cites": [2]},
    ]


def test_unknown_labels_and_a_sentence_picked_twice_are_dropped() -> None:
    picks = [
        {"type": "point", "sentence": "S1"},
        {"type": "point", "sentence": "S1"},
        {"type": "point", "sentence": "S7"},
    ]
    assert len(expand(picks, group(GAIN))) == 1


def test_a_term_its_sentence_names_but_is_not_about_becomes_a_point() -> None:
    sentence = "Classification is a form of supervised learning."
    picks = [{"type": "term", "term": "Supervised learning", "sentence": "S1"}]
    assert expand(picks, group(sentence)) == [{"type": "point", "text": sentence, "cites": [1]}]
    introduced = [{"type": "term", "term": "categorical", "sentence": "S1"}]
    assert expand(introduced, group("Such columns are called categorical."))[0]["type"] == "term"


def test_a_term_after_a_plain_article_is_not_introduced() -> None:
    """Regression: "as" stripped to "a" made every "a X" look like "known as X"."""
    sentence = "Here is a simple melody in D major, without a key signature."
    assert expand([{"type": "term", "term": "key signature", "sentence": "S1"}], group(sentence))[0]["type"] == "point"
