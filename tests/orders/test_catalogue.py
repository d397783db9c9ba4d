"""The product catalogue: every product can clear customs."""

from __future__ import annotations


def test_every_catalogue_hs_code_is_in_the_customs_nomenclature() -> None:
    # Generated orders go through customs when planned: an unknown code would stop the day.
    from rocketpost.customs import nomenclature
    from rocketpost.orders.catalogue import load_catalogue

    hs = nomenclature()
    for code in load_catalogue().hs_code:
        hs.check(str(code))  # raises InputError for a code the customs data lacks
