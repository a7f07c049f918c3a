"""Users (email, no username), organisations, memberships, invitations, approved domains."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .querysets import InvitationQuerySet, OrganisationQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    # Staff suspended the account (is_active is then False); cleared on reinstatement.
    suspended_at = models.DateTimeField(null=True, blank=True)
    # The account was closed or pseudonymised: the login is gone, the name and email are
    # "Former user N"; rows that point at it (audit, contracts) stay.
    closed_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def status(self) -> str:
        if self.closed_at is not None:
            return "closed"
        if self.suspended_at is not None or not self.is_active:
            return "suspended"
        return "active"

    @property
    def pseudonym(self) -> str:
        return f"Former user {self.pk}"

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def membership_or_none(self) -> Membership | None:
        try:
            return self.membership
        except Membership.DoesNotExist:
            return None

    @property
    def organisation(self) -> Organisation | None:
        membership = self.membership_or_none
        return membership.organisation if membership else None

    @property
    def is_buyer(self) -> bool:
        org = self.organisation
        return bool(org and org.kind == Organisation.Kind.BUYER)

    @property
    def is_supplier(self) -> bool:
        org = self.organisation
        return bool(org and org.kind == Organisation.Kind.SUPPLIER)

    @property
    def is_org_admin(self) -> bool:
        membership = self.membership_or_none
        return bool(membership and membership.role == Membership.Role.ADMIN)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        BUYER = "buyer", "Buyer"
        SUPPLIER = "supplier", "Supplier"

    class BuyerType(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS = "nhs", "NHS trust or body"
        CENTRAL = "central", "Central government department"
        SCHOOL = "school", "School or academy trust"
        OTHER = "other", "Other public body"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    buyer_type = models.CharField(max_length=10, choices=BuyerType.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"), "kind", name="organisation_unique_name_per_kind"
            ),
            models.CheckConstraint(
                condition=(Q(kind="buyer") & ~Q(buyer_type=""))
                | (Q(kind="supplier") & Q(buyer_type="")),
                name="organisation_buyer_type_only_for_buyers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_buyer(self) -> bool:
        return self.kind == self.Kind.BUYER


class Membership(models.Model):
    """A user belongs to one organisation, as a member or an admin."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        ADMIN = "admin", "Admin"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class ApprovedDomain(models.Model):
    """An email domain from which buyers may sign up. Platform staff manage the list."""

    domain = models.CharField(
        max_length=253,
        unique=True,
        help_text="For example leeds.gov.uk. Stored in lower case.",
    )
    include_subdomains = models.BooleanField(
        default=False, help_text="Also approve addresses at any subdomain, such as x.nhs.uk."
    )
    buyer_type = models.CharField(max_length=10, choices=Organisation.BuyerType.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        limit_choices_to={"kind": Organisation.Kind.BUYER},
        help_text="If set, people who sign up from this domain join this organisation.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _default_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                "email",
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and not self.is_expired


class OrganisationSignOn(models.Model):
    """Single sign-on for a buyer organisation: its OpenID Connect provider, kept as one of
    allauth's SocialApp rows (provider "openid_connect", provider_id "org-<organisation id>").
    People who sign in through it with an address on the organisation's approved domains
    join it as members; passwords keep working for everyone."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sign_on",
        limit_choices_to={"kind": Organisation.Kind.BUYER},
    )
    social_app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.CASCADE, related_name="organisation_sign_on"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Sign-in for {self.organisation}"

    @property
    def provider_id(self) -> str:
        return self.social_app.provider_id

    @property
    def issuer(self) -> str:
        return self.social_app.settings.get("server_url", "")
