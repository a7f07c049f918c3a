"""The terms of an award, checked the same way by a direct award, a further competition
and a supplier's response: amounts, dates, KPIs, prices at or below the national price."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from catalogue.models import Offer
from contracts.dates import months_between
from contracts.value import PRICING_QUESTIONS, pricing_quantity
from ndx.accounts.models import Organisation, User

from ..models import (
    Shortlist,
)
from .common import own_organisation

# An award ends in a Contract at the exact offer revision a buyer chose. A direct award is made
# from a frozen shortlist item or a single offer, on a lot that allows it, at or below the
# national price. A further competition invites 3 or more shortlisted suppliers on one lot;
# they ask questions and respond before the deadline, the buyer scores every response and awards
# to the highest weighted total. Savings are (list price - awarded price) x quantity.
# Every service takes `now` (default: the current time) so deadlines can be tested.

MIN_INVITED_SUPPLIERS = 3
MIN_SOCIAL_VALUE_WEIGHT = 10
KPI_VALUE_THRESHOLD = Decimal("5000000")
MIN_KPIS_ABOVE_THRESHOLD = 3
MAX_KPIS = 20
MAX_KPI_LENGTH = 300
MAX_AWARD_TEXT = 5000
MAX_RESPONSE_TEXT = 10000
MAX_QUESTION = 2000
MAX_COMPETITION_TITLE = 150
MAX_UNIT_PRICE = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("9999999999.99")
MAX_CONTRACT_VALUE = Decimal("9999999999999.99")
CRITERIA = (("quality", "quality"), ("price", "price"), ("social_value", "social value"))
PENNY = Decimal("0.01")


def money_text(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _award_amount(raw, field: str, name: str, *, maximum: Decimal, example: str) -> Decimal:
    """A required amount (pounds, or a quantity), allowing commas and £."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError({field: f"Enter the {name}"})
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        amount = Decimal(raw)
    else:
        text = str(raw).strip().replace(",", "").replace(" ", "").removeprefix("£")
        if not re.fullmatch(r"-?[0-9]*\.?[0-9]+", text):
            raise ValidationError({field: f"Enter the {name} as a number, like {example}"})
        amount = Decimal(text)
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {name} as a number, like {example}"})
    if amount < 0:
        raise ValidationError({field: f"The {name} must be 0 or more"})
    if amount > maximum:
        raise ValidationError({field: f"The {name} must be {maximum:,.0f} or less"})
    if amount != amount.quantize(PENNY):
        raise ValidationError({field: f"The {name} must have no more than 2 decimal places"})
    return amount.quantize(PENNY)


def award_quantity(raw) -> Decimal:
    quantity = _award_amount(raw, "quantity", "quantity", maximum=MAX_QUANTITY, example="250")
    if quantity <= 0:
        raise ValidationError({"quantity": "The quantity must be more than 0"})
    return quantity


def award_unit_price(raw) -> Decimal:
    return _award_amount(raw, "unit_price", "unit price", maximum=MAX_UNIT_PRICE, example="12.50")


def award_text(raw, field: str, missing: str, *, limit: int = MAX_AWARD_TEXT) -> str:
    text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: f"This must be {limit:,} characters or fewer"})
    return text


def _award_date(raw, field: str, name: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if raw in (None, ""):
        raise ValidationError({field: f"Enter the {name}"})
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError({field: f"The {name} must be a real date, like 27 3 2027"}) from None


def award_term(start_raw, end_raw, today: date) -> tuple[date, date]:
    errors, term = {}, {}
    for field, name, raw in (
        ("start_date", "start date", start_raw),
        ("end_date", "end date", end_raw),
    ):
        try:
            term[field] = _award_date(raw, field, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    start, end = term["start_date"], term["end_date"]
    if start < today:
        raise ValidationError({"start_date": "The start date must be today or in the future"})
    if end <= start:
        raise ValidationError({"end_date": "The end date must be after the start date"})
    return start, end


def clean_kpis(raw) -> list[str]:
    """KPIs typed one a line (or given as a list): blank lines dropped, spaces tidied."""
    lines = raw if isinstance(raw, list | tuple) else str(raw or "").splitlines()
    kpis = [" ".join(str(line).split()) for line in lines if str(line).strip()]
    if len(kpis) > MAX_KPIS:
        raise ValidationError({"kpis": f"Enter {MAX_KPIS} KPIs or fewer"})
    too_long = [kpi for kpi in kpis if len(kpi) > MAX_KPI_LENGTH]
    if too_long:
        raise ValidationError({"kpis": f"Each KPI must be {MAX_KPI_LENGTH} characters or fewer"})
    return kpis


def check_kpis(kpis: list[str], value: Decimal) -> None:
    if value > KPI_VALUE_THRESHOLD and len(kpis) < MIN_KPIS_ABOVE_THRESHOLD:
        raise ValidationError(
            {
                "kpis": f"Contracts worth more than {money_text(KPI_VALUE_THRESHOLD)} need at "
                f"least {MIN_KPIS_ABOVE_THRESHOLD} KPIs, one a line (this one is worth "
                f"{money_text(value)} and has {len(kpis)})"
            }
        )


def contract_value(unit_price: Decimal, quantity: Decimal) -> Decimal:
    value = (unit_price * quantity).quantize(PENNY, rounding=ROUND_HALF_UP)
    if value > MAX_CONTRACT_VALUE:
        raise ValidationError({"quantity": "The contract value (price × quantity) is too large"})
    return value


def check_price(unit_price: Decimal, national_price: Decimal | None, field: str = "unit_price"):
    if national_price is not None and unit_price > national_price:
        raise ValidationError(
            {
                field: f"The price must be at or below the national price of "
                f"{money_text(national_price)}"
            }
        )


def still_buyable(offer: Offer, supplier_name: str) -> None:
    if not Offer.objects.buyable().filter(pk=offer.pk).exists():
        raise ValidationError(
            f"{supplier_name}'s offer can no longer be bought: it has been withdrawn or "
            "suspended, or the supplier is not in good standing on the framework."
        )


def time_to_award(started: datetime | None, now: datetime) -> timedelta | None:
    if started is None:
        return None
    return max(now - started, timedelta(0))


def usable_shortlist(actor: User, shortlist: Shortlist) -> Organisation:
    organisation = own_organisation(actor, shortlist)
    if not shortlist.is_frozen:
        raise ValidationError("Freeze the shortlist before awarding from it.")
    if shortlist.outcome and shortlist.outcome != Shortlist.Outcome.AWARDED:
        raise ValidationError(
            f"This shortlist's outcome is recorded as “{shortlist.get_outcome_display()}”, "
            "so nothing can be awarded from it."
        )
    return organisation


MAX_EXTENSION_MONTHS = 120
MAX_OUTCOMES = 20


def award_units(raw, pricing_model: str) -> Decimal | None:
    """Users, licences, days or units as the buyer knows them (None: not given, or a fixed
    price, which needs none)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or pricing_model == "fixed":
        return None
    label = PRICING_QUESTIONS.get(pricing_model, ("How many units?", False))[0]
    noun = label.removeprefix("How many ").removesuffix("?") or "units"
    units = _award_amount(raw, "units", f"number of {noun}", maximum=MAX_QUANTITY, example="500")
    if units <= 0:
        raise ValidationError({"units": f"The number of {noun} must be more than 0"})
    return units


def quantity_from_units(pricing_model: str, units: Decimal | None, start: date, end: date):
    """The quantity the unit price is charged on, from the pricing model (users x months of
    the term for a per-user-per-month price)."""
    months = max(months_between(start, end), 1)
    return pricing_quantity(pricing_model, units, months).quantize(PENNY)


def value_working(revision, units, months: int, unit_price: Decimal, value: Decimal) -> str:
    """The sum in words, like "500 users × 12 months × £25.00 per user per month = £150,000.00"."""
    model = revision.pricing_model
    if model == "fixed" or units is None:
        return f"{money_text(unit_price)} {revision.unit_label} = {money_text(value)}"
    noun = PRICING_QUESTIONS[model][0].removeprefix("How many ").removesuffix("?")
    parts = [f"{units:,.0f} {noun}" if units == units.to_integral() else f"{units:,} {noun}"]
    if PRICING_QUESTIONS[model][1]:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    parts.append(f"{money_text(unit_price)} {revision.unit_label}")
    return " × ".join(parts) + f" = {money_text(value)}"


def award_extension(raw) -> int:
    if raw in (None, ""):
        return 0
    try:
        months = int(str(raw).strip())
    except ValueError:
        raise ValidationError(
            {"max_extension_months": "Enter the extension allowed as a whole number of months"}
        ) from None
    if months < 0 or months > MAX_EXTENSION_MONTHS:
        raise ValidationError(
            {"max_extension_months": f"The extension must be 0 to {MAX_EXTENSION_MONTHS} months"}
        )
    return months


def award_baseline(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return _award_amount(
        raw, "baseline_unit_price", "previous price", maximum=MAX_UNIT_PRICE, example="30.00"
    )


def clean_outcomes(raw) -> list[str]:
    lines = raw if isinstance(raw, list | tuple) else str(raw or "").splitlines()
    outcomes = [" ".join(str(line).split())[:500] for line in lines if str(line).strip()]
    return outcomes[:MAX_OUTCOMES]
