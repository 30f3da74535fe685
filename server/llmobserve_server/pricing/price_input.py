"""Reading an account's price override from what a person or a script typed: exact decimals,
USD per million tokens, with one readable message per wrong field.

    price = parse_price_input({"provider": "openai", "model": "ft:gpt-4o:acme",
                               "input_mtok": "3.75", "output_mtok": "15"})

Shared by the settings page and `/v1/prices`, so both accept and refuse the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_PROVIDER = 64
MAX_MODEL = 200
MAX_PRICE = Decimal(100_000)  # USD per million tokens; the dearest catalogue model is far below
MAX_DECIMALS = 10  # the scale of the money columns

PRICE_FIELDS = {
    "input_mtok": "Input price",
    "cached_input_mtok": "Cached input price",
    "cache_write_mtok": "Cache write price",
    "output_mtok": "Output price",
}
REQUIRED_PRICES = ("input_mtok", "output_mtok")


@dataclass(frozen=True)
class PriceInput:
    """A valid override. `provider` "" applies to the model from any provider."""

    provider: str
    model: str
    input_mtok: Decimal
    output_mtok: Decimal
    cached_input_mtok: Decimal | None = None
    cache_write_mtok: Decimal | None = None


class InvalidPrice(Exception):
    """The input's problems, field name -> message for a person."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def parse_price_input(values: Mapping[str, str | None]) -> PriceInput:
    """A `PriceInput` from text values, or `InvalidPrice` naming every wrong field."""
    errors: dict[str, str] = {}
    provider = (values.get("provider") or "").strip().lower()
    model = (values.get("model") or "").strip()
    if len(provider) > MAX_PROVIDER:
        errors["provider"] = f"Use at most {MAX_PROVIDER} characters."
    if not model:
        errors["model"] = "Enter the model name exactly as your app sends it, e.g. gpt-4o-mini."
    elif len(model) > MAX_MODEL:
        errors["model"] = f"Use at most {MAX_MODEL} characters."
    prices: dict[str, Decimal | None] = {}
    for name, label in PRICE_FIELDS.items():
        try:
            prices[name] = parse_amount(values.get(name), label, required=name in REQUIRED_PRICES)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise InvalidPrice(errors)
    input_mtok, output_mtok = prices["input_mtok"], prices["output_mtok"]
    assert input_mtok is not None and output_mtok is not None  # required above
    return PriceInput(
        provider=provider,
        model=model,
        input_mtok=input_mtok,
        output_mtok=output_mtok,
        cached_input_mtok=prices["cached_input_mtok"],
        cache_write_mtok=prices["cache_write_mtok"],
    )


def parse_amount(text: str | None, label: str, *, required: bool) -> Decimal | None:
    """USD per million tokens as an exact Decimal; "$2.50" and "2.5" are both 2.50."""
    cleaned = (text or "").strip().removeprefix("$").strip()
    if not cleaned:
        if required:
            raise ValueError(f"{label} is required (USD per million tokens; 0 if free).")
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValueError(f"{label} must be a number of dollars, e.g. 2.50.")
    if amount < 0:
        raise ValueError(f"{label} cannot be negative.")
    if amount > MAX_PRICE:
        raise ValueError(f"{label} must be at most ${MAX_PRICE:,} per million tokens.")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise ValueError(f"{label} can have at most {MAX_DECIMALS} decimal places.")
    return amount
