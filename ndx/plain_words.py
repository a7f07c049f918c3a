"""Numbers as people read them: counts that agree with their nouns, money and percentages
rounded sensibly. The template filters in ndx/templatetags/plain.py wrap these.

    count_noun(1, "month")            # "1 month"
    count_noun(3, "month")            # "3 months"
    count_noun(2, "person", "people") # "2 people"
    money(12500)                      # "£12,500"
    money(1_240_000)                  # "£1.2m"
    money(150000, per="year")         # "£150,000 a year"
    money(12.5)                       # "£12.50"
    percent(0.1482)                   # "0.15%"
    percent(40.0)                     # "40%"
    percent(0.4, fraction=True)       # "40%"
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Number = int | float | Decimal | str


def _decimal(value: Number) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _grouped(number: Decimal, places: int = 0) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def _trimmed(number: Decimal, places: int) -> str:
    """Rounded to `places` decimals, without trailing zeros: 1.20 -> 1.2, 3.0 -> 3."""
    text = _grouped(number, places)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def count_noun(count: Number, singular: str, plural: str | None = None) -> str:
    """'1 month', '2 months', '1,200 offers'; `plural` for irregular nouns ('people')."""
    number = _decimal(count)
    if number is None:
        return ""
    plural = plural or singular + "s"
    noun = singular if number == 1 else plural
    shown = _grouped(number) if number == number.to_integral_value() else _trimmed(number, 2)
    return f"{shown} {noun}"


PER = {"year": "a year", "month": "a month", "week": "a week", "day": "a day", "": ""}


def money(value: Number, per: str = "") -> str:
    """Pounds as people read them: '£12.50' (pence under £100 when there are any),
    '£12,500' (whole pounds up to a million), '£1.2m', '£3m', '£1.5bn'. `per` adds 'a year',
    'a month', 'a week' or 'a day'."""
    number = _decimal(value)
    if number is None:
        return ""
    sign = "-" if number < 0 else ""
    amount = abs(number)
    if amount >= Decimal("1e9"):
        text = _trimmed(amount / Decimal("1e9"), 1) + "bn"
    elif amount >= Decimal("1e6"):
        text = _trimmed(amount / Decimal("1e6"), 1) + "m"
        if text == "1,000m":
            text = "1bn"
    elif amount < 100 and amount != amount.to_integral_value():
        text = _grouped(amount, 2)
    else:
        text = _grouped(amount)
    suffix = PER.get(per, per and f"a {per}")
    return f"{sign}£{text}" + (f" {suffix}" if suffix else "")


def percent(value: Number, fraction: bool = False) -> str:
    """A percentage rounded as people read it: '40%', '85.7%' under 100 only when the
    decimal matters (under 10: one decimal; under 1: two significant figures), 'less than
    0.01%' for tiny shares, never '0.1482%'. `fraction=True` when value is a share of 1."""
    number = _decimal(value)
    if number is None:
        return ""
    if fraction:
        number *= 100
    sign = "-" if number < 0 else ""
    size = abs(number)
    if size == 0:
        return "0%"
    if size < Decimal("0.01"):
        return f"{'more' if sign else 'less'} than {sign}0.01%"
    if size >= 10:
        text = _grouped(size)
    elif size >= 1:
        text = _trimmed(size, 1)
    else:
        # Two significant figures: 0.1482 -> 0.15, 0.0123 -> 0.012.
        places = 1 - size.adjusted()
        text = _trimmed(size, places)
    return f"{sign}{text}%"
