"""What each kind of product does, as one table: the branches of the catalog, checkout, fulfilment,
downloads and the store page read these flags instead of comparing kind names (polar's benefit
strategies are the model). A new kind is one row; behaviour a flag does not yet cover is named in
`pending`, so a kind that only has a name says so."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import invalid


@dataclass(frozen=True)
class ProductKind:
    name: str
    grants_course: bool = False  # buying it enrols in its course
    holds_products: bool = False  # buying it grants other products of the store (its parts)
    min_parts: int = 0  # how many parts it must hold, when it holds any
    repeatable: bool = False  # bought again and again (never "already held")
    bookable: bool = False  # sold for a time on the creator's calendar (details: length, zone, hours)
    carries_file: bool = False  # a file its holders download
    pay_what_you_want: bool = False  # its price has a minimum the buyer may exceed
    recurring: bool = False  # may be sold by subscription
    pending: str = ""  # what it should do that nothing does yet


KINDS: dict[str, ProductKind] = {
    kind.name: kind
    for kind in (
        ProductKind("course", grants_course=True),
        ProductKind("digital", carries_file=True),
        ProductKind("bundle", holds_products=True, min_parts=2),
        ProductKind("coaching", repeatable=True, bookable=True),
        ProductKind("membership", holds_products=True, recurring=True),  # no parts: access to the store itself
        ProductKind("tip", repeatable=True, pay_what_you_want=True),
        ProductKind("credits", repeatable=True, pending="a balance of credits to spend (the grant ledger)"),
        ProductKind("beat_lease", pending="a licence to a beat: its file and its terms"),
        ProductKind("service", repeatable=True, pending="an order the creator fulfils (a mix, a review)"),
        ProductKind("submission", repeatable=True, pending="a file the buyer sends for the creator's feedback"),
    )
}
NAMES: tuple[str, ...] = tuple(KINDS)


def kind_of(name: str) -> ProductKind:
    """The kind's behaviour; an unknown name is a 422 listing the kinds."""
    kind = KINDS.get(name)
    if kind is None:
        raise invalid("kind", f"must be one of {', '.join(NAMES)}")
    return kind
