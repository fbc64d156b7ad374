import time

from core.ids import has_prefix, new_id


def test_ids_carry_their_prefix() -> None:
    value = new_id("crs")
    assert value.startswith("crs_")
    assert has_prefix(value, "crs")
    assert not has_prefix(value, "lsn")


def test_ids_sort_by_creation_time() -> None:
    first = new_id("x")
    time.sleep(0.002)
    second = new_id("x")
    assert first < second


def test_ids_are_unique() -> None:
    assert len({new_id("x") for _ in range(5000)}) == 5000
