"""A shared world for the security tests: two buyer organisations (A and B) and two supplier
organisations (A and B), each with a member and an admin, platform staff with TOTP, and one
object owned by A for every parameterised URL.

The world is built once per test module inside a transaction that is rolled back when the
module ends; each test runs in a savepoint inside it (pytest-django's `db`), so a test that
changes something changes it for itself only.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from buying.models import FurtherCompetition, Requirement
from buying.requirement_forms import STEP_FORMS
from buying.services import clarifications as clarification_services
from buying.services import competitions as competition_services
from buying.services import pooling as pooling_services
from buying.services import requirements as requirement_services
from buying.services import responses as response_services
from buying.services import saved_searches as saved_search_services
from buying.services import shortlists as shortlist_services
from catalogue.models import CatalogueImport, Framework, OfferDocument
from catalogue.search_index import revision_search_index
from contracts.models import ContractKpi, ContractOutcome, ContractVariation, PerformanceReport
from guidance import services as guidance_services
from guidance.models import GuidancePage
from market.services import directory as directory_services
from market.services import engagements as engagement_services
from market.services import pipeline as pipeline_services
from matching import runtime
from matching import services as matching_services
from ndx.accounts.models import Membership
from ndx.celery import app as celery_app
from ndx.notifications.services import notification_send
from reporting.services import report_snapshots_refresh
from reviews import services as review_services
from reviews.models import Review
from suppliers.models import FrameworkMembership, LotApplication
from tests.accounts.factories import (
    ApprovedDomainFactory,
    BuyerOrganisationFactory,
    InvitationFactory,
    StaffFactory,
    SupplierOrganisationFactory,
    member,
)
from tests.auth import Client
from tests.buying.award_helpers import competition_data, frozen_shortlist
from tests.catalogue.factories import (
    DeclarationQuestionFactory,
    DraftFrameworkFactory,
    DynamicMarketFactory,
    FrameworkFactory,
    LotFactory,
    make_offer,
)
from tests.reviews.factories import ContractFactory, published_review
from tests.suppliers.factories import (
    LotApplicationFactory,
    SupplierProfileFactory,
    approved_supplier,
)

TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECR"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

ROLES = [
    "anonymous",
    "buyer_a_member",
    "buyer_a_admin",
    "buyer_b_member",
    "buyer_b_admin",
    "supplier_a_member",
    "supplier_a_admin",
    "supplier_b_member",
    "supplier_b_admin",
    "staff",
]

# Answers to every requirement question (as the step forms post them).
REQUIREMENT_ANSWERS = {
    "title": {"title": "Case management for adult social care"},
    "problem": {"problem": "Social workers keep case notes in spreadsheets."},
    "users": {"users_description": "Social workers", "user_count": "250"},
    "needs": {"must_haves": "Case notes\nCare plans", "nice_to_haves": "Mobile app"},
    "budget": {"budget_min": "25000", "budget_max": "50000"},
    "timescale": {"timescale": "3m"},
    "location": {"location": "Leeds"},
    "security": {"hosting_locations": ["uk"], "certifications": ["cyber-essentials"]},
    "preference": {"lot": "none"},
}


def answer_requirement(actor, requirement, answers=REQUIREMENT_ANSWERS):
    for step, data in answers.items():
        form = STEP_FORMS[step](data)
        assert form.is_valid(), form.errors
        requirement_services.requirement_answer(
            actor=actor, requirement=requirement, step=step, data=form.cleaned_data
        )
    requirement.refresh_from_db()
    return requirement


def add_document(revision, title: str) -> OfferDocument:
    """A PDF on a revision, stored directly (the upload service always edits a working copy)."""
    digest = hashlib.sha256(PDF + title.encode()).hexdigest()
    document = OfferDocument(
        revision=revision,
        title=title,
        original_name=f"{title}.pdf",
        size=len(PDF),
        sha256=digest,
    )
    document.file.save(f"{digest[:16]}.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


def _supplier(name: str):
    organisation = SupplierOrganisationFactory(name=name)
    SupplierProfileFactory(organisation=organisation)
    return organisation


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    now = timezone.now()

    # --- organisations and the ten roles ---------------------------------------------------
    w.buyer_a = BuyerOrganisationFactory(name="Buyer A Council")
    w.buyer_b = BuyerOrganisationFactory(name="Buyer B Council")
    w.supplier_a = _supplier("Supplier A Ltd")
    w.supplier_b = _supplier("Supplier B Ltd")
    w.supplier_c = _supplier("Supplier C Ltd")  # a third bidder: competitions need three
    w.users = {"anonymous": None}
    for kind, organisation_a, organisation_b in (
        ("buyer", w.buyer_a, w.buyer_b),
        ("supplier", w.supplier_a, w.supplier_b),
    ):
        for side, organisation in (("a", organisation_a), ("b", organisation_b)):
            for role in ("member", "admin"):
                w.users[f"{kind}_{side}_{role}"] = member(
                    organisation, role=role, email=f"{kind}.{side}.{role}@{kind}{side}.example"
                )
    w.users["staff"] = StaffFactory(email="staff@ndx.example")
    TOTP.activate(w.users["staff"], TOTP_SECRET)
    w.supplier_c_admin = member(w.supplier_c, role="admin")
    w.staff_without_mfa = StaffFactory()  # must set up TOTP before any staff page
    # Another member of staff created and put forward the framework awaiting approval, so
    # `staff` may approve it (two people are needed).
    w.other_staff = StaffFactory()
    TOTP.activate(w.other_staff, TOTP_SECRET)
    buyer_admin, buyer_member = w.users["buyer_a_admin"], w.users["buyer_a_member"]
    supplier_admin = w.users["supplier_a_admin"]

    # --- frameworks, lots, questions --------------------------------------------------------
    w.framework = FrameworkFactory(name="Live framework")
    w.lot = LotFactory(framework=w.framework, name="Cloud software", direct_award_allowed=True)
    w.comp_lot = LotFactory(
        framework=w.framework, name="Digital outcomes", direct_award_allowed=False
    )
    w.market = DynamicMarketFactory(name="Dynamic market")
    w.market_lot = LotFactory(framework=w.market, name="Market lot")
    w.open_framework = FrameworkFactory(
        name="Open framework", status=Framework.Status.OPEN, approved_at=None
    )
    w.open_lot = LotFactory(framework=w.open_framework, name="Open lot")
    w.question = DeclarationQuestionFactory(framework=w.open_framework)
    w.draft_framework = DraftFrameworkFactory(name="Draft framework", created_by=w.other_staff)
    w.draft_lot = LotFactory(framework=w.draft_framework)
    w.draft_question = DeclarationQuestionFactory(framework=w.draft_framework)
    w.awaiting_framework = DraftFrameworkFactory(
        name="Awaiting approval",
        created_by=w.other_staff,
        live_requested_by=w.other_staff,
        live_requested_at=now,
    )
    LotFactory(framework=w.awaiting_framework)

    # --- suppliers on the live framework and the dynamic market, with offers ---------------
    w.offers = {}
    for side, organisation in (("a", w.supplier_a), ("b", w.supplier_b)):
        for lot in (w.lot, w.comp_lot, w.market_lot):
            approved_supplier(lot, organisation)
        w.offers[f"{side}_published"] = make_offer(
            organisation, w.lot, title=f"Case management from supplier {side.upper()}"
        )
        w.offers[f"{side}_draft"] = make_offer(
            organisation, w.lot, status="draft", title=f"Draft offer {side.upper()}"
        )
        w.offers[f"{side}_submitted"] = make_offer(
            organisation, w.lot, status="submitted", title=f"Submitted offer {side.upper()}"
        )
        w.offers[f"{side}_market"] = make_offer(
            organisation, w.market_lot, title=f"Market offer {side.upper()}"
        )
        w.offers[f"{side}_comp"] = make_offer(
            organisation, w.comp_lot, title=f"Outcomes offer {side.upper()}"
        )
    approved_supplier(w.comp_lot, w.supplier_c)
    w.offers["c_comp"] = make_offer(w.supplier_c, w.comp_lot, title="Outcomes offer C")
    revision_search_index(
        revision_ids=[o.published_revision_id for o in w.offers.values() if o.published_revision_id]
    )
    w.offer = w.offers["a_published"]
    w.draft_offer = w.offers["a_draft"]
    w.submitted_offer = w.offers["a_submitted"]
    w.document = add_document(w.offer.published_revision, "Service definition")
    w.draft_document = add_document(w.draft_offer.working_revision, "Draft terms")
    w.membership = FrameworkMembership.objects.get(supplier=w.supplier_a, framework=w.framework)
    w.application = LotApplicationFactory(
        supplier=w.supplier_a,
        lot=w.open_lot,
        submitted_by=supplier_admin,
        answers=[{"question": w.question.pk, "text": w.question.text, "answer": "yes"}],
    )
    assert w.application.status == LotApplication.Status.SUBMITTED
    w.catalogue_import = CatalogueImport.objects.create(
        uploaded_by=w.users["staff"],
        file="catalogue-imports/offers.csv",
        original_name="offers.csv",
        status=CatalogueImport.Status.SUCCEEDED,
        rows_total=1,
        created=1,
        suppliers=1,
        finished_at=now,
    )

    # --- buyer A's requirements, searches, shortlists, match run ---------------------------
    w.requirement_draft = requirement_services.requirement_start(
        actor=buyer_member, title="A draft requirement"
    )
    requirement = requirement_services.requirement_start(
        actor=buyer_member, title="Case management"
    )
    answer_requirement(buyer_member, requirement)
    w.requirement = requirement_services.requirement_submit(
        actor=buyer_member, requirement=requirement
    )
    matching_services.index_rebuild_now()
    w.match_run = matching_services.requirement_match(actor=buyer_member, requirement=w.requirement)
    w.saved_search = saved_search_services.saved_search_create(
        actor=buyer_member, name="Case management search", query_string="q=case+management"
    )
    w.shortlist = shortlist_services.shortlist_create(actor=buyer_member, name="Open shortlist")
    w.shortlist_item = shortlist_services.shortlist_add_offer(
        actor=buyer_member, shortlist=w.shortlist, offer_id=w.offer.pk
    )
    w.frozen = frozen_shortlist(buyer_member, [w.offer], name="Frozen shortlist")
    w.frozen_item = w.frozen.items.get()

    # --- further competitions: a draft, an open one and one past its deadline ---------------
    comp_offers = [w.offers["a_comp"], w.offers["b_comp"], w.offers["c_comp"]]

    def competition(name: str, publish: bool) -> FurtherCompetition:
        shortlist = frozen_shortlist(buyer_admin, comp_offers, name=name)
        created = competition_services.competition_create(
            actor=buyer_admin, shortlist=shortlist, data=competition_data(shortlist, title=name)
        )
        if publish:
            created = competition_services.competition_publish(
                actor=buyer_admin, competition=created
            )
        return created

    w.competition_draft = competition("Draft competition", publish=False)
    w.competition_open = competition("Open competition", publish=True)
    w.competition_closed = competition("Closed competition", publish=True)
    w.comp_shortlist = w.competition_draft.shortlist
    w.invitation = w.competition_open.invitations.get(supplier=w.supplier_a)
    w.draft_invitation = w.competition_draft.invitations.get(supplier=w.supplier_a)
    w.clarification = clarification_services.clarification_ask(
        actor=supplier_admin, invitation=w.invitation, question="Is training included?"
    )
    closed_invitation = w.competition_closed.invitations.get(supplier=w.supplier_a)
    w.response = response_services.response_submit(
        actor=supplier_admin,
        invitation=closed_invitation,
        unit_price="9.50",
        quality_response="We have done this for twenty councils.",
        social_value_response="We employ apprentices in Leeds.",
    )
    FurtherCompetition.objects.filter(pk=w.competition_closed.pk).update(
        deadline=now - timedelta(minutes=1)
    )

    # --- contracts and reviews ----------------------------------------------------------------
    w.contract = ContractFactory(organisation=w.buyer_a, offer=w.offer)
    # Tracked KPIs (monthly, so reports are due), a filed report and a proposed change.
    for position, name in enumerate(["Availability", "Incidents fixed", "Satisfaction"]):
        ContractKpi.objects.create(
            contract=w.contract,
            position=position,
            name=name,
            measure="Measured monthly",
            target="95%",
            frequency="monthly",
        )
    w.performance_report = PerformanceReport.objects.create(
        contract=w.contract,
        period_start=w.contract.start_date,
        period_end=w.contract.start_date + timedelta(days=20),
        overall_rating="good",
        filed_at=now,
        filed_by=buyer_member,
    )
    w.variation = ContractVariation.objects.create(
        contract=w.contract,
        number=1,
        ground="below_threshold",
        new_quantity=105,
        new_value=Decimal("1260.00"),
        reason="More users",
        proposed_at=now,
        proposed_by=buyer_member,
    )
    w.review = published_review(
        ContractFactory(organisation=w.buyer_a, offer=w.offer), author=buyer_member
    )
    w.held_review = published_review(
        ContractFactory(organisation=w.buyer_a, offer=w.offer),
        author=buyer_member,
        status=Review.Status.HELD,
        published_at=None,
        held_for=["a link"],
        refresh=False,
    )
    w.report = review_services.review_report(
        actor=w.users["buyer_b_member"], review=w.review, reason="false", detail="Not true."
    )
    report_snapshots_refresh()

    # The closed competition asks one model social value criteria theme (scored by theme).
    FurtherCompetition.objects.filter(pk=w.competition_closed.pk).update(
        social_value_themes=["wellbeing"]
    )
    w.competition_closed.refresh_from_db()

    # --- a demand pool of buyer A (lead), buyer B and a third council ---------------------------
    third = BuyerOrganisationFactory(name="Buyer C Council")
    pooled = [
        Requirement.objects.create(
            organisation=organisation,
            status=Requirement.Status.SUBMITTED,
            title=f"Housing repairs for {organisation.name}",
            problem="Online repair booking.",
            users_description="Tenants",
            user_count=100,
            lot=w.lot,
            framework=w.framework,
        )
        for organisation in (w.buyer_a, w.buyer_b, third)
    ]
    w.pool = pooling_services.pool_create(
        actor=w.users["staff"], requirements=pooled, lead=pooled[0]
    )

    # --- guidance -------------------------------------------------------------------------------
    w.guidance_page = GuidancePage.objects.get(slug="choosing-a-route")
    case = {
        "title": "Faster repairs",
        "problem": "Repairs took weeks.",
        "approach": "A direct award.",
        "outcomes": "Same-day repairs.",
        "supplier_agreed": True,
    }
    for contract in (w.review.contract, w.held_review.contract, w.contract):
        ContractOutcome.objects.create(
            contract=contract, text="Faster repairs", assessment="achieved"
        )
    w.case_study = guidance_services.case_study_publish(
        actor=w.users["staff"],
        case_study=guidance_services.case_study_offer(
            actor=buyer_member, contract=w.review.contract, data=case
        ),
    )
    w.offered_case_study = guidance_services.case_study_offer(
        actor=buyer_member, contract=w.held_review.contract, data=case
    )

    # --- accounts -------------------------------------------------------------------------------
    w.invitation_pending = InvitationFactory(
        organisation=w.buyer_a, invited_by=buyer_admin, email="new.person@buyera.example"
    )
    w.member_membership = Membership.objects.get(user=buyer_member)
    w.domain = ApprovedDomainFactory()

    # --- notifications --------------------------------------------------------------------------
    w.notification = notification_send(
        recipient=buyer_member,
        kind="accounts.test",
        title="A notification for buyer A's member",
        url="/account/",
        key="matrix-notification",
    )

    # --- market ---------------------------------------------------------------------------------
    build_market(w, buyer_member)

    # One signed-in session per role, made once: tests set the cookie instead of signing in.
    w.sessions = {}
    for role, user in [*w.users.items(), ("staff_without_mfa", w.staff_without_mfa)]:
        if user is not None:
            client = Client()
            client.force_login(user)
            w.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Staff with an authenticator whose session signed in with the password alone (however it
    # got there): no staff page until the code is given in this session.
    client = Client()
    client.force_login(w.users["staff"], two_factor=False)
    w.sessions["staff_password_only"] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w


def build_market(w, buyer_member) -> None:
    """An open and a closed engagement of buyer A (with a question and a response), a forward
    plan entry, and supplier A in the directory with consent (and its withdrawal link)."""
    supplier = w.users["supplier_a_member"]
    closes = timezone.localdate() + timedelta(days=14)
    data = {
        "title": "Housing case management",
        "problem": "Caseworkers lose track of cases.",
        "outcomes": "Every case in one place.",
        "closes_on": closes,
        "cpv_division": "72",
    }
    w.engagement = engagement_services.engagement_publish(actor=buyer_member, data=data)
    w.engagement_question = engagement_services.engagement_ask(
        actor=supplier, engagement=w.engagement, question="Is there an API?"
    )
    w.closed_engagement = engagement_services.engagement_publish(
        actor=buyer_member, data=dict(data, title="Closed engagement")
    )
    w.engagement_response = engagement_services.engagement_respond(
        actor=supplier,
        engagement=w.closed_engagement,
        data={"approach": "Configure our product.", "is_sme": True, "is_vcse": False},
    )
    w.closed_engagement = engagement_services.engagement_close(
        actor=buyer_member, engagement=w.closed_engagement
    )
    w.pipeline_entry = pipeline_services.pipeline_entry_add(
        actor=buyer_member,
        data={
            "title": "Replace the library system",
            "description": "Thirty branches.",
            "cpv_division": "48",
            "estimated_value": Decimal("250000"),
            "expected_start": timezone.localdate() + timedelta(days=90),
            "route": "further_competition",
            "region": "",
            "lot": None,
        },
    )
    w.directory_member = directory_services.directory_join(
        actor=w.users["supplier_a_admin"],
        data={
            "description": "Case management software.",
            "cpv_divisions": ["72"],
            "regions": ["london"],
            "size": "small",
            "consent_contact": True,
            "frequency": "immediate",
        },
    )
    w.withdraw_token = directory_services.withdraw_token(w.directory_member)


def sign_in(client, world, role: str):
    """The test client, signed in as `role` (or anonymous)."""
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    index = tmp_path_factory.mktemp("matching")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    overrides = override_settings(
        MEDIA_ROOT=str(media),
        MATCHING_INDEX_DIR=index,
        MATCHING_REFRESH_SECONDS=0,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # The world's sessions sign in once per module and the module takes minutes: their
        # sign-in stays "recent" for sensitive actions (tests/security/test_sensitive_actions.py
        # tests the re-authentication itself).
        ACCOUNT_REAUTHENTICATION_TIMEOUT=86400,
    )
    with django_db_blocker.unblock(), overrides:
        # Only ever the test database (it exists only when a collected test uses the db).
        name = str(connection.settings_dict["NAME"])
        assert "memorydb" in name or Path(name).name.startswith("test_"), name
        runtime.reset()
        try:
            with transaction.atomic():
                yield build_world()
                transaction.set_rollback(True)
        finally:
            runtime.reset()
            celery_app.conf.task_always_eager = eager


# --- "nothing changed" -----------------------------------------------------------------------

PROJECT_APPS = {"accounts", "audit", "catalogue", "suppliers", "buying", "reviews", "matching"}
PROJECT_APPS |= {"reporting"}
PROJECT_APPS |= {"notifications"}
PROJECT_APPS |= {"market"}
PROJECT_APPS |= {"guidance"}
# Signing in updates User.last_login; that is not a change made by the request under test.
NOT_FINGERPRINTED = {"accounts.user"}


def _fingerprinted_tables() -> list[tuple[str, str, str]]:
    tables = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in PROJECT_APPS and label not in NOT_FINGERPRINTED:
            tables.append((label, model._meta.db_table, model._meta.pk.column))
    return tables


def fingerprint() -> dict[str, list[tuple]]:
    """Every row of every table of the project's apps (except users), to compare before and
    after a request that must change nothing. Plain SQL: the world has a few hundred rows."""
    rows = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for label, table, pk_column in _fingerprinted_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk_column)}")
            rows[label] = cursor.fetchall()
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])
