"""Demo organisations and users for every role. Deterministic and idempotent."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from .models import ApprovedDomain, Membership, Organisation, User

DEMO_PASSWORD = "ndx-demo-password"
# A fixed TOTP secret so that demo staff can add it to an authenticator app.
DEMO_STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPNDXDEMO2"

DOMAINS = [
    ("leeds.gov.uk", Organisation.BuyerType.COUNCIL, False),
    ("manchester.gov.uk", Organisation.BuyerType.COUNCIL, False),
    ("kent.gov.uk", Organisation.BuyerType.COUNCIL, False),
    ("nhs.net", Organisation.BuyerType.NHS, False),
    ("nhs.uk", Organisation.BuyerType.NHS, True),
    ("education.gov.uk", Organisation.BuyerType.CENTRAL, False),
    ("dwp.gov.uk", Organisation.BuyerType.CENTRAL, False),
    ("sch.uk", Organisation.BuyerType.SCHOOL, True),
]

BUYERS = [
    ("Leeds City Council", Organisation.BuyerType.COUNCIL, "leeds.gov.uk"),
    ("Manchester University NHS Foundation Trust", Organisation.BuyerType.NHS, "mft.nhs.uk"),
    ("Department for Education", Organisation.BuyerType.CENTRAL, "education.gov.uk"),
]

SUPPLIERS = [
    ("Northwind Digital Ltd", "northwind-digital.co.uk"),
    ("Brightwater Cloud Services plc", "brightwater.example.com"),
]

# (email, full name, organisation name or None for staff, role)
PEOPLE = [
    ("staff@ndx.example", "Sam Okafor", None, None),
    ("buyer.admin@leeds.gov.uk", "Priya Shah", "Leeds City Council", Membership.Role.ADMIN),
    ("buyer@leeds.gov.uk", "Tom Hughes", "Leeds City Council", Membership.Role.MEMBER),
    (
        "buyer.admin@mft.nhs.uk",
        "Grace Adeyemi",
        "Manchester University NHS Foundation Trust",
        Membership.Role.ADMIN,
    ),
    (
        "buyer.admin@education.gov.uk",
        "Ian Fraser",
        "Department for Education",
        Membership.Role.ADMIN,
    ),
    (
        "supplier.admin@northwind-digital.co.uk",
        "Ada Lewis",
        "Northwind Digital Ltd",
        Membership.Role.ADMIN,
    ),
    (
        "supplier@northwind-digital.co.uk",
        "Ravi Patel",
        "Northwind Digital Ltd",
        Membership.Role.MEMBER,
    ),
    (
        "supplier.admin@brightwater.example.com",
        "Helen Morgan",
        "Brightwater Cloud Services plc",
        Membership.Role.ADMIN,
    ),
]


def _user(email: str, full_name: str, *, staff: bool = False) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "is_staff": staff, "is_superuser": staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def seed(out, context: dict) -> dict:
    for domain, buyer_type, subdomains in DOMAINS:
        ApprovedDomain.objects.get_or_create(
            domain=domain, defaults={"buyer_type": buyer_type, "include_subdomains": subdomains}
        )
    organisations = {}
    for name, buyer_type, _domain in BUYERS:
        organisations[name], _ = Organisation.objects.get_or_create(
            name=name, kind=Organisation.Kind.BUYER, defaults={"buyer_type": buyer_type}
        )
    ApprovedDomain.objects.filter(domain="leeds.gov.uk", organisation=None).update(
        organisation=organisations["Leeds City Council"]
    )
    for name, _domain in SUPPLIERS:
        organisations[name], _ = Organisation.objects.get_or_create(
            name=name, kind=Organisation.Kind.SUPPLIER
        )
    created_count = 0
    for email, full_name, org_name, role in PEOPLE:
        user, created = _user(email, full_name, staff=org_name is None)
        created_count += created
        if org_name is None:
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, DEMO_STAFF_TOTP_SECRET)
            continue
        Membership.objects.get_or_create(
            user=user, defaults={"organisation": organisations[org_name], "role": role}
        )
    out.write(f"accounts: {len(PEOPLE)} demo users ({created_count} new)\n")
    return {"organisations": organisations}


def describe() -> list[str]:
    lines = [f"All demo users have the password: {DEMO_PASSWORD}"]
    for email, _name, org_name, role in PEOPLE:
        who = "platform staff" if org_name is None else f"{role} of {org_name}"
        lines.append(f"  {email:42} {who}")
    lines.append(
        f"Staff sign-in also asks for an authenticator code: add the secret "
        f"{DEMO_STAFF_TOTP_SECRET} to an authenticator app (or run `python manage.py demo_totp`)."
    )
    return lines
