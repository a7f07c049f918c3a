import factory
from allauth.account.models import EmailAddress

from ndx.accounts.models import ApprovedDomain, Invitation, Membership, Organisation, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    is_staff = True
    email = factory.Sequence(lambda n: f"staff{n}@ndx.example")


class BuyerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Borough Council {n}")
    kind = Organisation.Kind.BUYER
    buyer_type = Organisation.BuyerType.COUNCIL


class SupplierOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    kind = Organisation.Kind.SUPPLIER
    buyer_type = ""


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(BuyerOrganisationFactory)
    role = Membership.Role.MEMBER


class ApprovedDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovedDomain

    domain = factory.Sequence(lambda n: f"council{n}.gov.uk")
    buyer_type = Organisation.BuyerType.COUNCIL


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(BuyerOrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.gov.uk")
    invited_by = factory.SubFactory(UserFactory)


def member(organisation=None, role=Membership.Role.MEMBER, **user_kwargs) -> User:
    organisation = organisation or BuyerOrganisationFactory()
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user
