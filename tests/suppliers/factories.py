import factory

from catalogue.models import FrameworkMembership
from suppliers.models import LotApplication, SupplierProfile
from tests.accounts.factories import SupplierOrganisationFactory


class SupplierProfileFactory(factory.django.DjangoModelFactory):
    """A complete profile of a small business."""

    class Meta:
        model = SupplierProfile

    organisation = factory.SubFactory(SupplierOrganisationFactory)
    legal_name = factory.LazyAttribute(lambda o: o.organisation.name)
    companies_house_number = factory.Sequence(lambda n: f"{n + 10000000:08d}")
    address_line_1 = "1 High Street"
    town = "Leeds"
    postcode = "LS1 1AA"
    region = "yorkshire"
    headcount_band = "10-49"
    turnover_band = "le10m"
    balance_sheet_band = "le10m"
    size = "small"
    is_sme = True
    contact_name = "Sam Seller"
    contact_email = factory.Sequence(lambda n: f"sales{n}@supplier.example.com")


class FrameworkMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkMembership

    supplier = factory.SubFactory(SupplierOrganisationFactory)
    framework = factory.SubFactory("tests.catalogue.factories.FrameworkFactory")


class LotApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LotApplication

    supplier = factory.SubFactory(SupplierOrganisationFactory)
    lot = factory.SubFactory("tests.catalogue.factories.LotFactory")
    answers = factory.LazyFunction(list)


def approved_supplier(lot, organisation=None, **profile_kwargs):
    """A supplier organisation with a profile, approved for `lot` and active on its framework."""
    existing = SupplierProfile.objects.filter(organisation=organisation).first()
    profile = existing or SupplierProfileFactory(
        **({"organisation": organisation} if organisation else {}), **profile_kwargs
    )
    organisation = profile.organisation
    LotApplicationFactory(supplier=organisation, lot=lot, status=LotApplication.Status.APPROVED)
    FrameworkMembership.objects.get_or_create(supplier=organisation, framework=lot.framework)
    return organisation
