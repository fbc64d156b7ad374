"""Clustering questions by meaning with the real embedder."""

from rag.clusters import cluster
from tests.retrieval_fixtures import shared_model


def test_questions_about_one_topic_group_together_and_the_largest_comes_first() -> None:
    texts = [
        "How long should a reverb tail be on vocals?",
        "What is a key signature?",
        "How do I set the reverb decay time for a vocal?",
        "Which reverb length suits a singer?",
    ]
    groups = cluster(shared_model(), texts)
    assert [sorted(g.members) for g in groups] == [[0, 2, 3], [1]]
    assert groups[0].centre in (0, 2, 3)


def test_no_texts_no_clusters() -> None:
    assert cluster(shared_model(), []) == []
