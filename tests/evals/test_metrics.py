import pytest

from evals.metrics import hit_at, ndcg_at, recall_at, reciprocal_rank


def test_hit_and_reciprocal_rank() -> None:
    ranked = ["a", "b", "c"]
    assert (hit_at(ranked, {"b"}, 1), hit_at(ranked, {"b"}, 2)) == (0.0, 1.0)
    assert reciprocal_rank(ranked, {"c"}, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"z"}, 10) == 0.0


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise() -> None:
    gains = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b", "x"], gains, 10) == pytest.approx(1.0)
    assert ndcg_at(["x", "b", "a"], gains, 10) < 1.0
    assert ndcg_at(["x"], gains, 10) == 0.0


def test_recall() -> None:
    assert recall_at(["a", "x", "b"], {"a", "b", "c", "d"}, 2) == 0.25
    assert recall_at(["a"], set(), 10) == 0.0
