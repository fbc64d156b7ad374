"""The platform's fee, in integer minor units.

Rule: the fee is `total * bps / 10,000` rounded half up to a whole minor unit (10% of 5 cents is 1
cent, of 15 cents 2, of 994 cents 99, of 995 cents 100), computed on what the buyer pays after
discounts, never more than that total. A refund gives back the same share of the fee (`fee_returned`)."""

from __future__ import annotations


def platform_fee(total: int, bps: int) -> int:
    if total <= 0:
        return 0
    return min(total, (total * bps + 5_000) // 10_000)


def fee_returned(fee: int, total: int, refunded: int) -> int:
    """The fee given back once `refunded` of `total` is refunded: the same share of the fee, rounded
    half up, computed from the refunded total (a state, not a sum of parts), so it never exceeds the fee."""
    if total <= 0 or refunded <= 0:
        return 0
    return min(fee, (fee * min(refunded, total) * 2 + total) // (2 * total))


def percent_of(bps: int) -> float:
    """Stripe's `application_fee_percent` for recurring prices (it takes a percentage)."""
    return round(bps / 100, 2)
