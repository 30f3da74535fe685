"""The per-unit table for services outside the genai-prices catalogue."""

from __future__ import annotations

from decimal import Decimal

from llmobserve_server.pricing import UNIT_PRICES, price_units, unit_price
from llmobserve_server.pricing.units import UnitsCharge


def test_pinecone_list_prices_are_16_and_4_dollars_per_million_units() -> None:
    assert UNIT_PRICES[("pinecone", "read_units")] * 1_000_000 == 16
    assert UNIT_PRICES[("pinecone", "write_units")] * 1_000_000 == 4


def test_pinecone_read_and_write_units_are_priced_from_the_table() -> None:
    charge = price_units("pinecone", {"read_units": 5, "write_units": 2})
    assert charge == UnitsCharge(Decimal("0.000088"), overridden=False)


def test_provider_name_is_matched_case_insensitively() -> None:
    assert unit_price(" Pinecone", "read_units") == unit_price("pinecone", "read_units")


def test_units_the_table_does_not_know_are_ignored() -> None:
    charge = price_units("pinecone", {"read_units": 1, "storage_gb": 3})
    assert charge == UnitsCharge(Decimal("0.000016"), overridden=False)


def test_no_priced_unit_gives_none() -> None:
    assert price_units("pinecone", {"storage_gb": 3}) is None
    assert price_units("weaviate", {"read_units": 3}) is None
    assert price_units(None, {"read_units": 3}) is None
    assert price_units("pinecone", {}) is None
    assert price_units("pinecone", None) is None


def test_fractional_unit_counts_are_exact() -> None:
    charge = price_units("pinecone", {"read_units": 0.1})
    assert charge is not None
    assert charge.cost == Decimal("0.0000016")


def test_non_finite_unit_counts_are_ignored() -> None:
    assert price_units("pinecone", {"read_units": float("nan")}) is None


def test_override_unit_price_wins_over_the_table() -> None:
    charge = price_units(
        "pinecone", {"read_units": 10, "write_units": 1}, {"read_units": Decimal("0.00002")}
    )
    assert charge == UnitsCharge(Decimal("0.000204"), overridden=True)


def test_override_prices_units_of_providers_outside_the_table() -> None:
    charge = price_units("qdrant", {"queries": 3}, {"queries": Decimal("0.001")})
    assert charge == UnitsCharge(Decimal("0.003"), overridden=True)
