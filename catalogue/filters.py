"""Catalogue search filters (django-filter). Every filter reads plain GET parameters, so a
search is a URL that can be bookmarked and shared. Values that do not validate are ignored
and reported back to the user, never turned into a server error."""

from __future__ import annotations

import re
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from .models import Certification, Framework, HostingLocation, Lot, PricingModel, RevisionFacet

MAX_VALUES = 20
# Lot categories that name a delivery phase: their own filter, not mixed into Category.
DELIVERY_PHASES = ("Discovery", "Alpha", "Beta", "Live")


class MultipleTextField(forms.Field):
    """Several free-text values of one GET parameter (like ?category=a&category=b)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *args, pattern: str | None = None, max_length: int = 200, **kwargs):
        self.pattern = re.compile(pattern) if pattern else None
        self.max_length = max_length
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        values = [str(v).strip() for v in value if str(v).strip()][:MAX_VALUES]
        for v in values:
            if len(v) > self.max_length or (self.pattern and not self.pattern.fullmatch(v)):
                raise forms.ValidationError(f"“{v[:40]}” is not a value this filter knows")
        return list(dict.fromkeys(values))


class MultipleTextFilter(django_filters.Filter):
    field_class = MultipleTextField


def _facet_exists(kind: str, values: list[str]):
    return Exists(
        RevisionFacet.objects.filter(
            revision_id=OuterRef("published_revision_id"), kind=kind, value__in=values
        )
    )


YES = [("yes", "Yes")]
RATING_CHOICES = [
    ("4", "4 stars and above"),
    ("3", "3 stars and above"),
    ("2", "2 stars and above"),
]


class OfferFilter(django_filters.FilterSet):
    framework = django_filters.MultipleChoiceFilter(
        field_name="lot__framework__reference", label="Framework"
    )
    lot = django_filters.MultipleChoiceFilter(field_name="lot_id", label="Lot")
    category = MultipleTextFilter(method="filter_category", label="Category")
    phase = MultipleTextFilter(method="filter_category", label="Delivery phase")
    cpv = MultipleTextFilter(method="filter_cpv", label="CPV division", pattern=r"\d{2}")
    pricing = django_filters.MultipleChoiceFilter(
        field_name="published_revision__pricing_model",
        choices=PricingModel.choices,
        label="Pricing model",
    )
    price_min = django_filters.NumberFilter(
        field_name="published_revision__price",
        lookup_expr="gte",
        label="Minimum price (£)",
        min_value=Decimal("0"),
        max_value=Decimal("9999999999"),
        max_digits=12,
        decimal_places=2,
    )
    price_max = django_filters.NumberFilter(
        field_name="published_revision__price",
        lookup_expr="lte",
        label="Maximum price (£)",
        min_value=Decimal("0"),
        max_value=Decimal("9999999999"),
        max_digits=12,
        decimal_places=2,
    )
    sme = django_filters.ChoiceFilter(choices=YES, method="filter_sme", label="SMEs only")
    vcse = django_filters.ChoiceFilter(choices=YES, method="filter_vcse", label="VCSEs only")
    rating = django_filters.ChoiceFilter(
        choices=RATING_CHOICES, method="filter_rating", label="Rating"
    )
    cert = django_filters.MultipleChoiceFilter(
        choices=Certification.choices, method="filter_cert", label="Certifications"
    )
    hosting = django_filters.MultipleChoiceFilter(
        field_name="published_revision__hosting_location",
        choices=HostingLocation.choices,
        label="Data hosting",
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, *args, frameworks=None, lots=None, **kwargs):
        super().__init__(*args, **kwargs)
        if frameworks is None:
            frameworks = list(Framework.objects.live().values_list("reference", "name"))
        if lots is None:
            lots = [
                (str(pk), f"{name} ({framework})")
                for pk, name, framework in Lot.objects.filter(
                    framework__in=Framework.objects.live()
                ).values_list("pk", "name", "framework__name")
            ]
        self.filters["framework"].extra["choices"] = frameworks
        self.filters["lot"].extra["choices"] = lots
        self.form.fields["framework"].choices = frameworks
        self.form.fields["lot"].choices = lots

    def filter_category(self, queryset, name, value):
        return (
            queryset.filter(_facet_exists(RevisionFacet.Kind.CATEGORY, value))
            if value
            else queryset
        )

    def filter_cpv(self, queryset, name, value):
        return (
            queryset.filter(_facet_exists(RevisionFacet.Kind.CPV_DIVISION, value))
            if value
            else queryset
        )

    def filter_cert(self, queryset, name, value):
        # Every selected certification is required (a buyer asking for two wants both).
        for cert in value:
            queryset = queryset.filter(_facet_exists(RevisionFacet.Kind.CERTIFICATION, [cert]))
        return queryset

    def filter_sme(self, queryset, name, value):
        return queryset.filter(supplier__supplier_profile__is_sme=True) if value else queryset

    def filter_vcse(self, queryset, name, value):
        return queryset.filter(supplier__supplier_profile__is_vcse=True) if value else queryset

    def filter_rating(self, queryset, name, value):
        return queryset.filter(Q(rating_average__gte=Decimal(value))) if value else queryset

    def invalid_messages(self) -> list[str]:
        """Plain-English notes about parameters that were ignored."""
        if not self.is_bound or self.form.is_valid():
            return []
        notes = []
        for field, errors in self.form.errors.items():
            label = self.form.fields[field].label if field in self.form.fields else field
            notes.append(f"{label}: we ignored a value we did not recognise ({errors[0]})")
        return notes
