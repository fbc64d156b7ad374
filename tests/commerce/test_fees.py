from commerce.fees import fee_returned, percent_of, platform_fee


def test_ten_percent_rounds_half_up_to_a_whole_cent() -> None:
    assert [platform_fee(t, 1000) for t in (1, 4, 5, 14, 15, 994, 995, 4999)] == [0, 0, 1, 1, 2, 99, 100, 500]


def test_no_fee_on_a_free_order_and_never_more_than_the_total() -> None:
    assert platform_fee(0, 1000) == 0 and platform_fee(3, 10000) == 3


def test_a_refund_returns_the_same_share_of_the_fee_never_more() -> None:
    assert fee_returned(500, 4999, 4999) == 500
    assert fee_returned(500, 4999, 2500) == 250
    assert fee_returned(1, 5, 2) == 0 and fee_returned(1, 5, 3) == 1
    assert fee_returned(500, 4999, 10_000) == 500


def test_recurring_prices_take_the_fee_as_a_percentage() -> None:
    assert percent_of(1000) == 10.0 and percent_of(1250) == 12.5
