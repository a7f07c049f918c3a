"""The demo supply side as a plan: suppliers, their lots, and the offers they list.

Generated from the word lists and products in this folder with a fixed random seed, so every
run plans the same data. Nothing here touches the database. The random draws happen in a fixed
order (suppliers, then each supplier's offers, then the offers' states): adding a draw, or
moving one, changes every supplier and offer after it.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from django.utils.text import slugify

from catalogue.demo import lot_categories

DATA = Path(__file__).parent
HOSTED_LOTS = ("cloud-hosting", "cloud-software", "council-software", "software")
HARDWARE_LOTS = ("hardware", "associated-services")


def _json(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def supply() -> dict[str, Any]:
    """suppliers.json: the seed, the supplier mix, size bands, and the demo logins' suppliers."""
    return _json("suppliers.json")


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    """words.json: names, sentences and variants the generator picks from."""
    return _json("words.json")


class Place(NamedTuple):
    region: str
    town: str
    postcode_district: str
    street: str
    phone_prefix: str  # from Ofcom's ranges reserved for drama


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    with (DATA / "places.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(Place(**row) for row in csv.DictReader(fh))


@dataclass(frozen=True)
class Product:
    category: str
    name: str
    pricing_model: str
    low: int
    high: int
    cpv_codes: tuple[str, ...]
    summary: str
    features: tuple[str, ...]


def _product(spec: dict[str, Any], category: str, name: str) -> Product:
    low, high = spec["price_range"]
    return Product(
        category=category,
        name=name,
        pricing_model=spec["pricing_model"],
        low=low,
        high=high,
        cpv_codes=tuple(spec["cpv_codes"]),
        summary=spec["summary"],
        features=tuple(spec["features"]),
    )


@lru_cache(maxsize=1)
def products() -> dict[str, list[Product]]:
    """What suppliers offer in each lot; a specialist for each role in the specialists lot."""
    data = _json("products.json")
    by_lot = {
        lot: [_product(spec, spec["category"], spec["name"]) for spec in specs]
        for lot, specs in data["by_lot"].items()
    }
    specialist = data["specialist"]
    roles = lot_categories(specialist["framework"], specialist["lot"])
    by_lot[specialist["lot"]] = [_product(specialist, role, role) for role in roles]
    return by_lot


@dataclass
class SupplierSpec:
    name: str
    size: str
    vcse: bool
    specialism: str
    place: Place
    company_number: str
    contact_name: str
    contact_email: str
    website: str
    founded: int
    lots: list[tuple[str, str]]
    pending: list[tuple[str, str]] = field(default_factory=list)
    suspended_on: str = ""
    existing_demo_org: bool = False

    @property
    def brand(self) -> str:
        return self.name.split()[0]


@dataclass
class OfferSpec:
    external_id: str
    supplier: str
    framework: str
    lot: str
    content: dict[str, Any]
    state: str = "published"  # draft, submitted, rejected, withdrawn, suspended, changes, history
    age_days: int = 30


@dataclass
class Plan:
    suppliers: list[SupplierSpec]
    offers: list[OfferSpec]


def money(value: float) -> Decimal:
    """A believable price: whole pounds or 50p for small sums, rounder for larger ones."""
    if value < 100:
        step = Decimal("0.50")
    elif value < 2000:
        step = Decimal("5")
    elif value < 20000:
        step = Decimal("50")
    else:
        step = Decimal("500")
    amount = (Decimal(str(value)) / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step
    return max(step, amount).quantize(Decimal("0.01"))


def _company_form(rng: random.Random, size: str, vcse: bool, specialism: str) -> str:
    forms = words()["company_forms"]
    if vcse:
        return rng.choice(forms["vcse"])
    if size == "large":
        return rng.choice(forms["large"])
    if specialism == "services" and rng.random() < 0.3:
        return "LLP"
    return rng.choice(forms["other"])


def _company_number(rng: random.Random, region: str, form: str, taken: set[str]) -> str:
    """A Companies House number in the right series, not used by another demo supplier."""
    while True:
        if region == "scotland":
            number = f"SC{rng.randint(100000, 799999)}"
        elif region == "northern-ireland":
            number = f"NI{rng.randint(600000, 699999)}"
        elif form == "LLP":
            number = f"OC{rng.randint(300000, 449999)}"
        else:
            number = f"{rng.randint(2_000_000, 15_999_999):08d}"
        if number not in taken:
            taken.add(number)
            return number


def _generated_supplier(
    rng: random.Random, index: int, stem: str, mix: tuple[str, bool, str], taken: set[str]
) -> SupplierSpec:
    size, vcse, specialism = mix
    suffix = rng.choice(words()["name_suffixes"][specialism])
    form = _company_form(rng, size, vcse, specialism)
    name = f"{stem} {suffix} {form}"
    place = places()[index % len(places())]
    number = _company_number(rng, place.region, form, taken)
    first, last = rng.choice(words()["first_names"]), rng.choice(words()["surnames"])
    domain = f"{slugify(f'{stem} {suffix}')}.example"
    lots = supply()["specialisms"][specialism]
    if size in ("micro", "small"):
        lots = lots[: rng.choice([1, 2])]
    return SupplierSpec(
        name=name,
        size=size,
        vcse=vcse,
        specialism=specialism,
        place=place,
        company_number=number,
        contact_name=f"{first} {last}",
        contact_email=f"{slugify(first)}.{slugify(last)}@{domain}",
        website=f"https://www.{domain}",
        founded=rng.randint(1988, 2019) if size != "micro" else rng.randint(2012, 2022),
        lots=[tuple(lot) for lot in lots],
    )


def _demo_login_supplier(name: str, spec: dict[str, Any]) -> SupplierSpec:
    """A supplier organisation of the demo logins (made by ndx.accounts.demo)."""
    place = next(p for p in places() if p.postcode_district == spec["postcode_district"])
    return SupplierSpec(
        name=name,
        size=spec["size"],
        vcse=spec["vcse"],
        specialism=spec["specialism"],
        place=place,
        company_number=spec["company_number"],
        contact_name=spec["contact_name"],
        contact_email=spec["contact_email"],
        website=spec["website"],
        founded=spec["founded"],
        lots=[tuple(lot) for lot in spec["lots"]],
        pending=[tuple(lot) for lot in spec["pending"]],
        existing_demo_org=True,
    )


def supplier_mix() -> list[tuple[str, bool, str]]:
    """(size, VCSE, specialism) for each generated supplier, in order."""
    return [
        (group["size"], group["vcse"], specialism)
        for group in supply()["mix"]
        for specialism in group["specialisms"]
    ]


def _supplier_specs(rng: random.Random) -> list[SupplierSpec]:
    stems = list(words()["name_stems"])
    rng.shuffle(stems)
    taken: set[str] = set()
    specs = [
        _generated_supplier(rng, index, stems[index], mix, taken)
        for index, mix in enumerate(supplier_mix())
    ]
    specs += [_demo_login_supplier(n, s) for n, s in supply()["demo_suppliers"].items()]
    # One supplier waits for a decision on another lot; one is suspended on G-Cloud 14.
    applicant = next(s for s in specs if s.specialism == "services" and s.size == "medium")
    applicant.pending.append(("NDX-DM-001", "council-software"))
    suspended = next(s for s in specs if s.specialism == "hosting" and s.size == "small")
    suspended.suspended_on = "RM1557.14"
    return specs


def _title_and_summary(
    supplier: SupplierSpec, lot: str, product: Product, variant: str
) -> tuple[str, str]:
    noun, summary = product.name, product.summary
    if lot == "digital-specialists":
        title = f"{variant} {noun.lower()}"
        return title, f"{variant} {noun.lower()} to join your team, from {supplier.name}"
    if lot == "digital-outcomes":
        return f"{noun} for {variant}", f"{summary}, for {variant}"
    if lot == "hardware":
        return f"{noun}{variant}", summary
    return f"{supplier.brand} {noun}{variant}", summary


def _sentences(rng: random.Random, lot: str) -> list[str]:
    """A sentence from each list for the lot's kind, in the order they are written."""
    if lot in HOSTED_LOTS:
        kind = "software"
    elif lot in HARDWARE_LOTS:
        kind = "hardware"
    else:
        kind = "services"
    return [rng.choice(sentences) for sentences in words()["sentences"][kind].values()]


def _certifications(
    rng: random.Random, supplier: SupplierSpec, lot: str, category: str
) -> list[str]:
    certifications = ["cyber-essentials-plus" if supplier.size != "micro" else "cyber-essentials"]
    if supplier.size in ("medium", "large") or rng.random() < 0.3:
        certifications.append("iso-27001")
    if supplier.size == "large" or rng.random() < 0.2:
        certifications.append("iso-9001")
    if category in ("Healthcare", "Adult social care") or rng.random() < 0.08:
        certifications.append("dspt")
    if lot == "cloud-hosting" and rng.random() < 0.4:
        certifications.append("psn")
    return certifications


def _hosting_accessibility_term(
    rng: random.Random, lot: str, category: str
) -> tuple[str, str, int | None]:
    if lot in HOSTED_LOTS:
        hosting = rng.choice(["uk", "uk", "uk", "uk-eea"])
        accessibility = rng.choice(["full", "full", "partial", "not-assessed"])
        term = rng.choice([1, 12, 12, 24, 36]) if lot != "cloud-hosting" else rng.choice([0, 1, 12])
    else:
        hosting, accessibility, term = "n/a", "n/a", None
    if lot == "cloud-support" and category == "Ongoing support":
        term = 12
    return hosting, accessibility, term


def offer_content(
    rng: random.Random, supplier: SupplierSpec, lot: str, product: Product, variant: str
) -> dict[str, Any]:
    """One offer's revision content, valid for its lot, with a national price below list."""
    title, summary = _title_and_summary(supplier, lot, product, variant)
    if lot == "digital-specialists":
        low, high = words()["specialist_day_rates"][variant]
    else:
        low, high = product.low, product.high
    list_price = money(rng.uniform(low, high))
    discount = Decimal(str(rng.choice(words()["discounts"])))
    price = money(float(list_price * (1 - discount)))
    if price >= list_price:
        price = (list_price - Decimal("0.50")).quantize(Decimal("0.01"))
    history = words()["supplier_history"][supplier.specialism].format(year=supplier.founded)
    description = " ".join([f"{summary}.", f"{history}.", *_sentences(rng, lot)])
    certifications = _certifications(rng, supplier, lot, product.category)
    hosting, accessibility, term = _hosting_accessibility_term(rng, lot, product.category)
    features = rng.sample(product.features, k=min(len(product.features), rng.randint(3, 5)))
    benefits = rng.sample(words()["benefits"], k=2)
    other = words()["other_certification"] if hosting == "uk" and rng.random() < 0.2 else ""
    return {
        "title": title,
        "summary": summary[:500],
        "description": description,
        "features": features,
        "benefits": benefits,
        "categories": [product.category],
        "cpv_codes": list(product.cpv_codes),
        "pricing_model": product.pricing_model,
        "price": price,
        "list_price": list_price,
        "vat": "excluding",
        "minimum_term_months": term,
        "service_levels": words()["service_levels"][supplier.specialism],
        "certifications": certifications,
        "other_certifications": other,
        "hosting_location": hosting,
        "accessibility": accessibility,
    }


def _set_states(rng: random.Random, offers: list[OfferSpec]) -> None:
    """Offers in every state, so staff and supplier pages have something to show."""
    demo_logins = tuple(supply()["demo_suppliers"])
    pool = [o for o in offers if not o.supplier.startswith(demo_logins)]
    states = [state for state, count in supply()["offer_states"] for _ in range(count)]
    for offer, state in zip(rng.sample(pool, k=len(states)), states, strict=True):
        offer.state = state
        if state in ("submitted", "rejected"):
            offer.age_days = rng.randint(1, 6)
    for name, wanted in supply()["demo_supplier_offer_states"].items():
        theirs = [o for o in offers if o.supplier == name]
        for offer, state in zip(theirs, wanted, strict=False):
            offer.state = state


@lru_cache(maxsize=1)
def demo_plan() -> Plan:
    """The whole demo supply side, generated from the data files with a fixed seed."""
    rng = random.Random(supply()["seed"])
    prefix = supply()["external_id_prefix"]
    suppliers = _supplier_specs(rng)
    offers: list[OfferSpec] = []
    for supplier in suppliers:
        low, high = supply()["offers_per_lot"][supplier.size]
        for framework_ref, lot in supplier.lots:
            choices = products()[lot]
            count = rng.randint(low, high)
            for product in rng.sample(choices, k=min(count, len(choices))):
                variant = rng.choice(words()["offer_variants"][lot])
                content = offer_content(rng, supplier, lot, product, variant)
                offers.append(
                    OfferSpec(
                        external_id=f"{prefix}{len(offers) + 1:04d}",
                        supplier=supplier.name,
                        framework=framework_ref,
                        lot=lot,
                        content=content,
                        age_days=rng.randint(3, 400),
                    )
                )
    _set_states(rng, offers)
    return Plan(suppliers=suppliers, offers=offers)
