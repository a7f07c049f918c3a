"""The permission matrix: for every URL, every role gets the expected status.

Roles: anonymous; a member and an admin of buyer organisations A and B; a member and an admin
of supplier organisations A and B; platform staff (with TOTP). Every parameterised URL points
at an object owned by organisation A (see conftest.build_world), so organisation B must get
404 there, the wrong kind of organisation or a non-admin 403, and anonymous visitors a redirect
to sign in.

`test_every_url_has_an_expectation` walks the URL resolver: a URL added without a row here (or
an entry in the commented exclusion list) fails the suite. Rows are `Row(url name, kwargs
builder, expectations)`; a URL may have several rows (variants) for objects in different
states, e.g. a published and a draft offer.

The POST tests send each state-changing endpoint's request as every wrong role and check the
refusal (403/404, or sign-in for anonymous) and that no row in the database changed; the right
role's request is sent too, as a control that the same request does change something, and once
more without its CSRF token (refused, nothing changed).

Also: every staff page sends staff without TOTP to set it up, and no GET changes the database.
Mixed addresses (an item of another shortlist, a document of another offer, a lot of another
framework...) are variants, since the object is found through its parent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from buying.services.requirements import REQUIREMENT_STEPS
from tests.auth import Client

from .conftest import ROLES, changed_tables, fingerprint, sign_in

pytestmark = pytest.mark.django_db

LOGIN = "sign-in"  # a 302 to the sign-in page (anonymous visitors on private pages)

GROUPS = {
    "all": ROLES,
    "anonymous": ["anonymous"],
    "signed_in": ROLES[1:],
    "buyers": ROLES[1:5],
    "buyer_a": ["buyer_a_member", "buyer_a_admin"],
    "buyer_b": ["buyer_b_member", "buyer_b_admin"],
    "suppliers": ROLES[5:9],
    "supplier_a": ["supplier_a_member", "supplier_a_admin"],
    "supplier_b": ["supplier_b_member", "supplier_b_admin"],
    "supplier_admins": ["supplier_a_admin", "supplier_b_admin"],
    "admins": ["buyer_a_admin", "buyer_b_admin", "supplier_a_admin", "supplier_b_admin"],
    "staff": ["staff"],
}
GROUPS.update({role: [role] for role in ROLES})


def expect(**statuses) -> dict[str, int | str]:
    """Statuses by role or group of roles, applied in order: expect(all=403, buyer_a=200)."""
    result: dict[str, int | str] = {}
    for group, status in statuses.items():
        for role in GROUPS[group]:
            result[role] = status
    missing = set(ROLES) - set(result)
    assert not missing, f"no expectation for {sorted(missing)}"
    return result


# The usual access rules. "A" pages show an object owned by organisation A.
PUBLIC = expect(all=200)
SIGNED_IN = expect(all=200, anonymous=LOGIN)
STAFF = expect(all=403, anonymous=LOGIN, staff=200)
BUYERS = expect(all=403, anonymous=LOGIN, buyers=200)
BUYER_A = expect(all=403, anonymous=LOGIN, buyer_a=200, buyer_b=404)
SUPPLIERS = expect(all=403, anonymous=LOGIN, suppliers=200)
SUPPLIER_A = expect(all=403, anonymous=LOGIN, supplier_a=200, supplier_b=404)
SUPPLIER_ADMINS = expect(all=403, anonymous=LOGIN, supplier_admins=200)
# A GET to an endpoint that only takes POST (require_POST is the outermost decorator).
POST_ONLY = expect(all=405)
# Only organisation A's own supplier and staff see an offer that is not buyable.
OWNER_OR_STAFF = expect(all=404, supplier_a=200, staff=200)


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: Callable = field(default=lambda w: {})
    expected: dict = field(default_factory=dict)
    variant: str = ""
    query: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def url(self, world) -> str:
        url = reverse(self.name, kwargs=self.kwargs(world))
        return f"{url}?{self.query}" if self.query else url


def row(name, expected, kwargs=lambda w: {}, variant="", query="") -> Row:
    return Row(name=name, kwargs=kwargs, expected=expected, variant=variant, query=query)


def pk(attribute: str, key: str = "pk") -> Callable:
    """kwargs {key: world.<attribute>.pk}; attribute may be dotted (offers.a_draft)."""

    def build(w):
        obj = w
        for part in attribute.split("."):
            obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
        return {key: obj.pk}

    return build


ROWS: list[Row] = [
    # --- site pages ---------------------------------------------------------------------------
    row("home", PUBLIC),
    row("accessibility", PUBLIC),
    row("cookies", PUBLIC),
    row("privacy", PUBLIC),
    row("healthz", PUBLIC),
    row("security_txt", PUBLIC),
    # The admin sends everyone but staff to its own sign-in page (which needs allauth's).
    row("admin:index", expect(all=302, staff=200)),
    # --- accounts -----------------------------------------------------------------------------
    row("accounts:dashboard", SIGNED_IN),
    row("accounts:organisation", expect(all=200, anonymous=LOGIN, staff=403)),
    row("accounts:invite", expect(all=403, anonymous=LOGIN, admins=200)),
    row("accounts:invitation_revoke", POST_ONLY, pk("invitation_pending")),
    row(
        "accounts:role",
        # Buyer A's member: only buyer A's admin may change it; other admins do not see it.
        expect(all=403, anonymous=LOGIN, admins=404, buyer_a_admin=200),
        pk("member_membership"),
    ),
    row(
        "accounts:member_remove",
        # The confirm page; removing itself also asks for the password again.
        expect(all=403, anonymous=LOGIN, admins=404, buyer_a_admin=200),
        pk("member_membership"),
    ),
    row("accounts:leave", expect(all=200, anonymous=LOGIN, staff=403)),
    row("accounts:personal_data", SIGNED_IN),
    row("accounts:close", SIGNED_IN),
    row("accounts:invitation", PUBLIC, lambda w: {"token": w.invitation_pending.token}),
    row("homes:staff_home", STAFF),
    # Where signing in lands: buyers' and suppliers' work; staff go on to /staff/.
    row("homes:home", expect(all=200, anonymous=LOGIN, staff=302)),
    row("accounts:staff_accounts", STAFF),
    row("accounts:staff_account", STAFF, lambda w: {"pk": w.users["buyer_a_member"].pk}),
    row("accounts:staff_sign_on_list", STAFF),
    row("accounts:staff_sign_on", STAFF, pk("buyer_a")),
    row(
        "accounts:staff_sign_on",
        expect(all=403, anonymous=LOGIN, staff=404),
        pk("supplier_a"),
        variant="supplier-org",
    ),
    row("accounts:domains", STAFF),
    row("accounts:domain_remove", POST_ONLY, pk("domain")),
    # --- notifications ------------------------------------------------------------------------
    row("notifications:list", SIGNED_IN),
    row("notifications:settings", SIGNED_IN),
    row("notifications:read_all", POST_ONLY),
    # Buyer A's member's notification: nobody else finds it.
    row("notifications:read", POST_ONLY, pk("notification")),
    # --- reports and open data ----------------------------------------------------------------
    row("reporting:dashboard", PUBLIC),
    row("reporting:organisation", BUYERS),
    row("reporting:sme_csv", PUBLIC),
    row("reporting:savings_csv", PUBLIC),
    row("reporting:time_csv", PUBLIC),
    row("reporting:staff_dashboard", STAFF),
    row("reporting:staff_recalculate", POST_ONLY),
    row("reporting:staff_sme_csv", STAFF),
    row("reporting:staff_savings_csv", STAFF),
    row("reporting:open_data", PUBLIC),
    row("reporting:ocds_releases", PUBLIC),
    row(
        "reporting:ocds_record",
        PUBLIC,
        lambda w: {"ocid": f"ocds-ndx001-{w.contract.reference}"},
    ),
    # --- catalogue: staff framework pages -------------------------------------------------------
    row("catalogue:staff_frameworks", STAFF),
    row("catalogue:staff_framework_create", STAFF),
    row("catalogue:staff_framework_detail", STAFF, pk("framework")),
    row("catalogue:staff_framework_edit", STAFF, pk("draft_framework")),
    row("catalogue:staff_framework_open", POST_ONLY, pk("draft_framework")),
    row("catalogue:staff_framework_request_live", POST_ONLY, pk("draft_framework")),
    row("catalogue:staff_framework_approve_live", POST_ONLY, pk("awaiting_framework")),
    row("catalogue:staff_framework_close", POST_ONLY, pk("framework")),
    row("catalogue:staff_lot_create", STAFF, pk("draft_framework")),
    row(
        "catalogue:staff_lot_edit",
        STAFF,
        lambda w: {"pk": w.draft_framework.pk, "lot_pk": w.draft_lot.pk},
    ),
    row(
        # A lot asked for under another framework's address.
        "catalogue:staff_lot_edit",
        expect(all=403, anonymous=LOGIN, staff=404),
        lambda w: {"pk": w.framework.pk, "lot_pk": w.draft_lot.pk},
        variant="wrong-framework",
    ),
    row("catalogue:staff_questions", STAFF, pk("draft_framework")),
    row(
        "catalogue:staff_question_remove",
        POST_ONLY,
        lambda w: {"pk": w.draft_framework.pk, "q_pk": w.draft_question.pk},
    ),
    # --- catalogue: supplier offer pages --------------------------------------------------------
    row("catalogue:supplier_offers", SUPPLIERS),
    row("catalogue:supplier_offer_create", SUPPLIERS),
    row("catalogue:supplier_offer", SUPPLIER_A, pk("offer")),
    row("catalogue:supplier_offer", SUPPLIER_A, pk("draft_offer"), variant="draft"),
    row("catalogue:supplier_offer_edit", SUPPLIER_A, pk("offer")),
    row("catalogue:supplier_offer_edit", SUPPLIER_A, pk("draft_offer"), variant="draft"),
    row("catalogue:supplier_offer_submit", POST_ONLY, pk("draft_offer")),
    row("catalogue:supplier_offer_recall", POST_ONLY, pk("submitted_offer")),
    row("catalogue:supplier_offer_withdraw", SUPPLIER_A, pk("offer")),
    row("catalogue:supplier_offer_delete", SUPPLIER_A, pk("draft_offer")),
    row("catalogue:supplier_offer_documents", SUPPLIER_A, pk("offer")),
    row(
        "catalogue:supplier_offer_document_remove",
        POST_ONLY,
        lambda w: {"pk": w.draft_offer.pk, "doc_pk": w.draft_document.pk},
    ),
    # --- catalogue: staff offer pages -----------------------------------------------------------
    row("catalogue:staff_offer_queue", STAFF),
    row(
        "catalogue:staff_offer_review",
        STAFF,
        lambda w: {"revision_pk": w.submitted_offer.working_revision_id},
    ),
    row("catalogue:staff_offer", STAFF, pk("draft_offer")),
    row("catalogue:staff_offer_suspend", POST_ONLY, pk("offer")),
    row("catalogue:staff_offer_reinstate", POST_ONLY, pk("offer")),
    # --- catalogue: public offer pages, search, compare -----------------------------------------
    row("catalogue:offer_detail", PUBLIC, pk("offer")),
    row("catalogue:offer_detail", OWNER_OR_STAFF, pk("draft_offer"), variant="draft"),
    row("catalogue:offer_detail", OWNER_OR_STAFF, pk("submitted_offer"), variant="submitted"),
    row(
        "catalogue:offer_document",
        PUBLIC,
        lambda w: {"pk": w.offer.pk, "doc_pk": w.document.pk},
    ),
    row(
        "catalogue:offer_document",
        OWNER_OR_STAFF,
        lambda w: {"pk": w.draft_offer.pk, "doc_pk": w.draft_document.pk},
        variant="draft",
    ),
    row(
        # A draft document asked for under a published offer's address: never found.
        "catalogue:offer_document",
        expect(all=404),
        lambda w: {"pk": w.offer.pk, "doc_pk": w.draft_document.pk},
        variant="wrong-offer",
    ),
    row("suppliers:staff_imports", STAFF),
    row("suppliers:staff_import_create", STAFF),
    row("suppliers:staff_import", STAFF, pk("catalogue_import")),
    row("catalogue:search", PUBLIC),
    row("catalogue:search", PUBLIC, query="q=case&sort=price", variant="query"),
    row("catalogue:compare", PUBLIC),
    row("catalogue:compare_add", POST_ONLY),
    row("catalogue:compare_remove", POST_ONLY),
    # --- matching ---------------------------------------------------------------------------------
    row("matching:results", BUYER_A, pk("requirement")),
    row("matching:results", BUYER_A, pk("requirement_draft"), variant="draft"),
    row("matching:rerun", POST_ONLY, pk("requirement")),
    row("matching:shortlist_add", POST_ONLY, pk("requirement")),
    row("matching:index_status", STAFF),
    row("matching:index_rebuild", POST_ONLY),
    # --- buying: saved searches and shortlists ----------------------------------------------------
    row("buying:saved_searches", BUYERS),
    row("buying:saved_search_create", BUYERS),
    row("buying:saved_search", BUYER_A, pk("saved_search")),
    row("buying:saved_search_freeze", POST_ONLY, pk("saved_search")),
    row("buying:saved_search_delete", POST_ONLY, pk("saved_search")),
    row("buying:shortlist_create", POST_ONLY),
    row("buying:shortlist", BUYER_A, pk("shortlist")),
    row("buying:shortlist", BUYER_A, pk("frozen"), variant="frozen"),
    row("buying:shortlist_add", POST_ONLY, pk("shortlist")),
    row(
        "buying:shortlist_remove",
        POST_ONLY,
        lambda w: {"pk": w.shortlist.pk, "item_pk": w.shortlist_item.pk},
    ),
    row("buying:shortlist_freeze", POST_ONLY, pk("shortlist")),
    row("buying:shortlist_outcome", BUYER_A, pk("frozen")),
    row("buying:shortlist_export", BUYER_A, lambda w: {"pk": w.frozen.pk, "fmt": "csv"}),
    row(
        "buying:shortlist_export",
        BUYER_A,
        lambda w: {"pk": w.frozen.pk, "fmt": "ods"},
        variant="ods",
    ),
    # --- buying: requirements -------------------------------------------------------------------
    row("buying:requirements", BUYERS),
    row("buying:requirement_start", BUYERS),
    row("buying:requirement_detail", BUYER_A, pk("requirement")),
    row("buying:requirement_detail", BUYER_A, pk("requirement_draft"), variant="draft"),
    row("buying:requirement_check", BUYER_A, pk("requirement_draft")),
    row("buying:requirement_delete", BUYER_A, pk("requirement_draft")),
    row("buying:requirement_copy", POST_ONLY, pk("requirement")),
    *[
        row(
            "buying:requirement_step",
            BUYER_A,
            lambda w, step=step: {"pk": w.requirement_draft.pk, "step": step},
            variant=step,
        )
        for step in REQUIREMENT_STEPS
    ],
    # --- buying: awards, contracts, further competitions ------------------------------------------
    row(
        "buying:direct_award_item",
        BUYER_A,
        lambda w: {"pk": w.frozen.pk, "item_pk": w.frozen_item.pk},
    ),
    row(
        # An item of another shortlist asked for under this shortlist's address.
        "buying:direct_award_item",
        expect(all=403, anonymous=LOGIN, buyers=404),
        lambda w: {"pk": w.shortlist.pk, "item_pk": w.frozen_item.pk},
        variant="wrong-shortlist",
    ),
    # Any buyer may award a buyable offer directly; suppliers and staff may not.
    row("buying:direct_award_offer", BUYERS, pk("offer", "offer_pk")),
    row(
        # An offer that is not buyable cannot be awarded (nor seen by buyers).
        "buying:direct_award_offer",
        expect(all=403, anonymous=LOGIN, buyers=404),
        pk("draft_offer", "offer_pk"),
        variant="draft",
    ),
    row("contracts:contracts", BUYERS),
    row("contracts:contract", BUYER_A, pk("contract")),
    row("contracts:kpis", BUYER_A, pk("contract")),
    row("contracts:report_file", BUYER_A, pk("contract")),
    row(
        "contracts:report",
        BUYER_A,
        lambda w: {"pk": w.contract.pk, "report_pk": w.performance_report.pk},
    ),
    row("contracts:variation_propose", BUYER_A, pk("contract")),
    row(
        "contracts:variation_withdraw",
        POST_ONLY,
        lambda w: {"pk": w.contract.pk, "variation_pk": w.variation.pk},
    ),
    row("contracts:extend", BUYER_A, pk("contract")),
    row("contracts:terminate", BUYER_A, pk("contract")),
    row("contracts:benefits", BUYER_A, pk("contract")),
    row("contracts:not_assessed", BUYER_A, pk("contract")),
    row("contracts:close", POST_ONLY, pk("contract")),
    row("buying:buy_again", POST_ONLY, pk("contract", "contract_pk")),
    # Buyer B has no contracts with the supplier, so there is no relationship page for it.
    row("contracts:relationship", BUYER_A, lambda w: {"supplier_pk": w.contract.supplier_id}),
    row("contracts:staff_register", STAFF),
    row("contracts:staff_register", STAFF, variant="csv", query="format=csv&status=active"),
    row("buying:competition_create", BUYER_A, pk("comp_shortlist")),
    row("buying:competitions", BUYERS),
    row("buying:competition", BUYER_A, pk("competition_open")),
    row("buying:competition", BUYER_A, pk("competition_draft"), variant="draft"),
    row("buying:competition", BUYER_A, pk("competition_closed"), variant="closed"),
    row("buying:competition_edit", BUYER_A, pk("competition_draft")),
    row("buying:competition_themes", BUYER_A, pk("competition_draft")),
    row(
        "buying:response_themes",
        BUYER_A,
        lambda w: {"pk": w.competition_closed.pk, "response_pk": w.response.pk},
    ),
    row("buying:competition_publish", POST_ONLY, pk("competition_draft")),
    row("buying:competition_cancel", BUYER_A, pk("competition_open")),
    row(
        "buying:clarification_answer",
        BUYER_A,
        lambda w: {"pk": w.competition_open.pk, "question_pk": w.clarification.pk},
    ),
    row(
        "buying:response_score",
        BUYER_A,
        lambda w: {"pk": w.competition_closed.pk, "response_pk": w.response.pk},
    ),
    row(
        # A question and a response asked for under another competition's address.
        "buying:clarification_answer",
        expect(all=403, anonymous=LOGIN, buyers=404),
        lambda w: {"pk": w.competition_closed.pk, "question_pk": w.clarification.pk},
        variant="wrong-competition",
    ),
    row(
        "buying:response_score",
        expect(all=403, anonymous=LOGIN, buyers=404),
        lambda w: {"pk": w.competition_open.pk, "response_pk": w.response.pk},
        variant="wrong-competition",
    ),
    row("buying:competition_award", BUYER_A, pk("competition_closed")),
    row("buying:supplier_competitions", SUPPLIERS),
    row("buying:supplier_competition", SUPPLIER_A, pk("invitation")),
    row(
        # Invitations of a competition that has not been sent are invisible to suppliers.
        "buying:supplier_competition",
        expect(all=403, anonymous=LOGIN, suppliers=404),
        pk("draft_invitation"),
        variant="draft-competition",
    ),
    row("buying:supplier_question", POST_ONLY, pk("invitation")),
    row("buying:supplier_response", SUPPLIER_A, pk("invitation")),
    row("contracts:supplier_contracts", SUPPLIERS),
    row("contracts:supplier_contract", SUPPLIER_A, pk("contract")),
    row(
        "contracts:supplier_report",
        SUPPLIER_A,
        lambda w: {"pk": w.contract.pk, "report_pk": w.performance_report.pk},
    ),
    row(
        "contracts:supplier_variation",
        SUPPLIER_A,
        lambda w: {"pk": w.contract.pk, "variation_pk": w.variation.pk},
    ),
    row("contracts:supplier_performance", SUPPLIERS),
    # --- reviews ------------------------------------------------------------------------------------
    row("reviews:mine", BUYERS),
    row("reviews:write", BUYER_A, pk("contract", "contract_pk")),
    row("reviews:supplier_reviews", SUPPLIERS),
    row("reviews:offer_reviews", PUBLIC, pk("offer", "offer_pk")),
    row("reviews:offer_reviews", OWNER_OR_STAFF, pk("draft_offer", "offer_pk"), "draft"),
    row("reviews:detail", PUBLIC, pk("review")),
    # A review held for moderation: only the buyer organisation that wrote it, and staff.
    row("reviews:detail", expect(all=404, buyer_a=200, staff=200), pk("held_review"), "held"),
    row("reviews:helpful", POST_ONLY, pk("review")),
    row("reviews:report", SIGNED_IN, pk("review")),
    row(
        "reviews:report",
        # Only a published review can be reported; the others do not see a held one at all.
        expect(all=404, anonymous=LOGIN, buyer_a=403, staff=403),
        pk("held_review"),
        variant="held",
    ),
    row("reviews:respond", SUPPLIER_A, pk("review")),
    row("reviews:staff_queue", STAFF),
    row("reviews:staff_review", STAFF, pk("held_review")),
    row("reviews:staff_publish", POST_ONLY, pk("held_review")),
    row("reviews:staff_reject", POST_ONLY, pk("held_review")),
    row("reviews:staff_dismiss_reports", POST_ONLY, pk("review")),
    # --- demand pooling ---------------------------------------------------------------------------
    row("matching:clusters", STAFF),
    row("matching:pool_create", POST_ONLY),
    row("matching:pool_cancel", POST_ONLY, pk("pool")),
    row("buying:pools", BUYERS),
    # Buyer B is in the pool too (it sees its own part); a supplier or staff is not a member.
    row("buying:pool", expect(all=403, anonymous=LOGIN, buyers=200), pk("pool")),
    row("buying:pool_join", POST_ONLY, pk("pool")),
    row("buying:pool_decline", POST_ONLY, pk("pool")),
    row("buying:pool_start", POST_ONLY, pk("pool")),
    # --- guidance (the buying playbook and case studies) ---------------------------------------------
    row("guidance:index", PUBLIC),
    row("guidance:page", PUBLIC, lambda w: {"slug": w.guidance_page.slug}),
    row("guidance:page", expect(all=404), lambda w: {"slug": "no-such-page"}, variant="missing"),
    row("guidance:case_studies", PUBLIC),
    row("guidance:case_study", PUBLIC, pk("case_study")),
    # Offered but not yet published: nobody reads it on the public page (staff use theirs).
    row("guidance:case_study", expect(all=404), pk("offered_case_study"), variant="offered"),
    row("guidance:case_study_offer", BUYER_A, pk("contract", "contract_pk")),
    row("guidance:staff_pages", STAFF),
    row("guidance:staff_edit", STAFF, lambda w: {"slug": w.guidance_page.slug}),
    row("guidance:staff_case_studies", STAFF),
    row("guidance:staff_case_study", STAFF, pk("offered_case_study")),
    row("guidance:staff_case_study_publish", POST_ONLY, pk("offered_case_study")),
    row("guidance:staff_case_study_decline", POST_ONLY, pk("offered_case_study")),
    # --- suppliers ------------------------------------------------------------------------------------
    row("suppliers:dashboard", SUPPLIERS),
    row("suppliers:profile_edit", SUPPLIERS),
    row("suppliers:frameworks", SUPPLIERS),
    row("suppliers:apply", SUPPLIER_ADMINS, pk("open_lot", "lot_pk")),
    row("suppliers:apply", SUPPLIER_ADMINS, pk("market_lot", "lot_pk"), variant="market"),
    # A lot of a framework that is not taking applications does not exist for applying.
    row(
        "suppliers:apply",
        expect(all=403, anonymous=LOGIN, supplier_admins=404),
        pk("draft_lot", "lot_pk"),
        variant="draft",
    ),
    row("suppliers:application_withdraw", POST_ONLY, pk("application")),
    row("suppliers:public_profile", PUBLIC, pk("supplier_a")),
    row("suppliers:public_profile", expect(all=404), pk("buyer_a"), variant="buyer-org"),
    row("suppliers:staff_applications", STAFF),
    row("suppliers:staff_application", STAFF, pk("application")),
    row("suppliers:staff_supplier_frameworks", STAFF),
    row("suppliers:staff_framework_suppliers", STAFF, pk("framework", "framework_pk")),
    row("suppliers:staff_membership", STAFF, pk("membership")),
    # --- market: engagements, forward plans, the directory with consent, alerts ---------------
    row("reporting:ocds_market_releases", PUBLIC),
    row("market:engagements", PUBLIC),
    row(
        "market:engagements",
        PUBLIC,
        query="sector=72&region=london&closing=week",
        variant="filtered",
    ),
    row("market:engagement", PUBLIC, pk("engagement")),
    row("market:engagement", PUBLIC, pk("closed_engagement"), variant="closed"),
    row("market:engagement_new", BUYERS),
    row("market:engagement_ask", POST_ONLY, pk("engagement")),
    row("market:engagement_respond", SUPPLIERS, pk("engagement")),
    row("market:engagement_manage", BUYER_A, pk("engagement")),
    row("market:engagement_manage", BUYER_A, pk("closed_engagement"), variant="closed"),
    row(
        "market:question_answer",
        POST_ONLY,
        lambda w: {"pk": w.engagement.pk, "question_pk": w.engagement_question.pk},
    ),
    row("market:engagement_close", POST_ONLY, pk("engagement")),
    row(
        "market:response_useful",
        POST_ONLY,
        lambda w: {"pk": w.closed_engagement.pk, "response_pk": w.engagement_response.pk},
    ),
    row("market:engagement_conclude", POST_ONLY, pk("closed_engagement")),
    row("market:engagement_convert", POST_ONLY, pk("closed_engagement")),
    row("market:pipeline", PUBLIC),
    row("market:pipeline_csv", PUBLIC),
    row("market:pipeline_add", BUYERS),
    row("market:pipeline_engagement", BUYER_A, pk("pipeline_entry", "entry_pk")),
    row("market:pipeline_requirement", POST_ONLY, pk("pipeline_entry")),
    row("market:pipeline_remove", POST_ONLY, pk("pipeline_entry")),
    # Only consenting members, and only to staff and buyer organisations.
    row("market:directory", expect(all=403, anonymous=LOGIN, buyers=200, staff=200)),
    row("market:directory_join", SUPPLIERS),
    # The link in every email works without signing in; a forged one is refused (400).
    row("market:withdraw", PUBLIC, lambda w: {"token": w.withdraw_token}),
    row("market:withdraw", expect(all=400), lambda w: {"token": "forged"}, variant="forged"),
    row("market:alerts", SUPPLIERS),
    row("market:search_follow", POST_ONLY, pk("saved_search")),
    row("market:requirement_privacy", BUYER_A, pk("requirement_draft")),
]

# URLs that are deliberately not in the matrix, and why. Matched on the view's module or on
# the URL namespace. Everything else with a route must have a row above.
EXCLUDED_VIEW_MODULES = {
    # django-allauth's own sign-in, sign-up, password, e-mail and MFA pages: third-party views
    # whose access rules are allauth's; our use of them is tested in tests/accounts.
    "allauth.",
}
EXCLUDED_ROUTE_PREFIXES = (
    # django-allauth's socialaccount (single sign-on) adds unnamed RedirectViews here from its
    # old addresses to its current ones (under accounts/3rdparty/, excluded as allauth's).
    "accounts/social/",
)
EXCLUDED_NAMESPACES = {
    # Django's admin: is_staff is checked by Django itself; admin:index is in the matrix above
    # as a representative, the model pages all share that check.
    "admin",
}


def _patterns(resolvers=None, prefix="", namespace=None):
    """(qualified name or None, route, view module path) for every URL pattern."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name, prefix + str(entry.pattern), entry.lookup_str, namespace


def _excluded(lookup: str, namespace: str | None) -> bool:
    root = (namespace or "").split(":")[0]
    return root in EXCLUDED_NAMESPACES or lookup.startswith(tuple(EXCLUDED_VIEW_MODULES))


def test_every_url_has_an_expectation():
    covered = {r.name for r in ROWS}
    missing, unnamed, seen = [], [], set()
    for name, route, lookup, namespace in _patterns():
        if _excluded(lookup, namespace) or route.startswith(EXCLUDED_ROUTE_PREFIXES):
            continue
        if name is None:
            unnamed.append(f"{route} ({lookup})")
            continue
        seen.add(name)
        if name not in covered:
            missing.append(f"{name}: /{route} ({lookup})")
    assert not missing, "URLs with no row in the permission matrix:\n" + "\n".join(missing)
    assert not unnamed, "URL patterns with no name (cannot be in the matrix):\n" + "\n".join(
        unnamed
    )
    stale = sorted(covered - seen - {"admin:index"})
    assert not stale, f"matrix rows for URLs that no longer exist: {stale}"


def _check(response, expected, role: str, request: str) -> None:
    got = response.status_code
    status = 302 if expected == LOGIN else expected
    assert got == status, f"{request} as {role}: got {got}, expected {expected}"
    if expected == LOGIN:
        location = response["Location"]
        assert location.startswith(reverse("account_login")), (
            f"{request} as {role}: redirected to {location}, not to sign in"
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("entry", ROWS, ids=lambda r: r.id)
def test_get(client, world, entry: Row, role: str):
    url = entry.url(world)
    response = sign_in(client, world, role).get(url)
    if response.streaming:
        # Read it to the end: the client's wrapper then closes it without closing the
        # database connection (calling close() directly would, ending the world's transaction).
        b"".join(response.streaming_content)
    _check(response, entry.expected[role], role, f"GET {url}")


# --- POST as the wrong roles ---------------------------------------------------------------------


def _date_fields(name: str, day) -> dict:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def _award_data(w) -> dict:
    start = timezone.localdate() + timedelta(days=7)
    return {
        "quantity": "450",
        "unit_price": "12.00",
        **_date_fields("start_date", start),
        **_date_fields("end_date", start + timedelta(days=365)),
        "kpis": "99.9% availability",
        "justification": "The best fit at the lowest price.",
    }


@dataclass(frozen=True)
class Post:
    name: str
    kwargs: Callable
    expected: dict  # status for each wrong role; roles left out are the right ones
    data: Callable = field(default=lambda w: {})
    control: str | None = None  # a right role whose identical POST changes something
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


def post(name, kwargs, expected, data=lambda w: {}, control=None, variant="") -> Post:
    wrong = {role: status for role, status in expected.items() if status is not None}
    return Post(name, kwargs, wrong, data=data, control=control, variant=variant)


def refused(**statuses) -> dict:
    """Like expect(), with None for the roles allowed to do it (not tested as wrong)."""
    return expect(**statuses)


STAFF_ACTION = refused(all=403, anonymous=LOGIN, staff=None)
BUYER_A_ACTION = refused(all=403, anonymous=LOGIN, buyer_a=None, buyer_b=404)
SUPPLIER_A_ACTION = refused(all=403, anonymous=LOGIN, supplier_a=None, supplier_b=404)


def _report_data(w) -> dict:
    data = {"overall_rating": "good"}
    for kpi in w.contract.kpi_set.all():
        data[f"kpi_{kpi.pk}_achieved"] = "99%"
        data[f"kpi_{kpi.pk}_rating"] = "good"
    return data


def _variation(w) -> dict:
    return {"pk": w.contract.pk, "variation_pk": w.variation.pk}


POSTS: list[Post] = [
    # Contract management: the buyer's own contract (a supplier cannot file the buyer's report).
    post("contracts:report_file", pk("contract"), BUYER_A_ACTION, _report_data, "buyer_a_member"),
    post(
        "contracts:terminate",
        pk("contract"),
        BUYER_A_ACTION,
        lambda w: {"reason": "Moved in-house"},
        control="buyer_a_admin",
    ),
    post("contracts:variation_withdraw", _variation, BUYER_A_ACTION, control="buyer_a_member"),
    # The contract has not reached its end date, so closing it is refused even for its buyer.
    post("contracts:close", pk("contract"), BUYER_A_ACTION),
    post(
        "buying:buy_again", pk("contract", "contract_pk"), BUYER_A_ACTION, control="buyer_a_admin"
    ),
    post(
        "contracts:supplier_variation",
        _variation,
        SUPPLIER_A_ACTION,
        lambda w: {"decision": "reject", "comment": "Too expensive"},
        control="supplier_a_admin",
    ),
    post(
        "contracts:supplier_report",
        lambda w: {"pk": w.contract.pk, "report_pk": w.performance_report.pk},
        SUPPLIER_A_ACTION,
        lambda w: {"response": "We agree"},
        control="supplier_a_member",
    ),
    # Staff decisions.
    post(
        "suppliers:staff_application",
        pk("application"),
        STAFF_ACTION,
        lambda w: {"decision": "approve"},
        control="staff",
    ),
    post(
        "suppliers:staff_membership",
        pk("membership"),
        STAFF_ACTION,
        lambda w: {"status": "suspended", "reason": "Missed a deadline."},
        control="staff",
    ),
    post(
        "catalogue:staff_offer_review",
        lambda w: {"revision_pk": w.submitted_offer.working_revision_id},
        STAFF_ACTION,
        lambda w: {"action": "approve"},
        control="staff",
    ),
    post(
        "catalogue:staff_framework_approve_live",
        pk("awaiting_framework"),
        STAFF_ACTION,
        control="staff",
    ),
    post("catalogue:staff_framework_open", pk("draft_framework"), STAFF_ACTION, control="staff"),
    post("catalogue:staff_framework_close", pk("framework"), STAFF_ACTION, control="staff"),
    post(
        "catalogue:staff_framework_create",
        lambda w: {},
        STAFF_ACTION,
        lambda w: {
            "name": "New framework",
            "reference": "RM9999",
            "kind": "framework",
            "description": "Something new.",
        },
        control="staff",
    ),
    post(
        "catalogue:staff_offer_suspend",
        pk("offer"),
        STAFF_ACTION,
        lambda w: {"reason": "Misleading prices."},
        control="staff",
    ),
    post(
        "catalogue:staff_framework_request_live",
        pk("draft_framework"),
        STAFF_ACTION,
        control="staff",
    ),
    post(
        "catalogue:staff_question_remove",
        lambda w: {"pk": w.draft_framework.pk, "q_pk": w.draft_question.pk},
        STAFF_ACTION,
        control="staff",
    ),
    # The offer is published, so reinstating it is refused even for staff: wrong roles only.
    post("catalogue:staff_offer_reinstate", pk("offer"), STAFF_ACTION),
    post("reviews:staff_publish", pk("held_review"), STAFF_ACTION, control="staff"),
    post("matching:pool_cancel", pk("pool"), STAFF_ACTION, control="staff"),
    post(
        "buying:competition_themes",
        pk("competition_draft"),
        BUYER_A_ACTION,
        lambda w: {"themes": ["wellbeing"]},
        control="buyer_a_member",
    ),
    post(
        "buying:response_themes",
        lambda w: {"pk": w.competition_closed.pk, "response_pk": w.response.pk},
        BUYER_A_ACTION,
        lambda w: {"wellbeing": "50"},
        control="buyer_a_member",
    ),
    post(
        "matching:pool_create",
        lambda w: {},
        STAFF_ACTION,
        lambda w: {"requirements": "1-2-3", "lead": "1"},
    ),
    post(
        "buying:pool_join",
        pk("pool"),
        refused(all=403, anonymous=LOGIN, buyer_a=None, buyer_b=None),
        lambda w: {"quantity": "150"},
        control="buyer_a_member",
    ),
    post(
        "buying:pool_decline",
        pk("pool"),
        refused(all=403, anonymous=LOGIN, buyer_a=None, buyer_b=None),
        control="buyer_b_member",
    ),
    post(
        "buying:pool_start",
        pk("pool"),
        refused(all=403, anonymous=LOGIN, buyer_a=None, buyer_b=400),
        lambda w: {"competition": w.competition_draft.pk},
    ),
    post(
        "guidance:staff_edit",
        lambda w: {"slug": w.guidance_page.slug},
        STAFF_ACTION,
        lambda w: {"title": "Choosing a route", "summary": "Which route.", "body": "## Changed"},
        control="staff",
    ),
    post(
        "guidance:staff_case_study_publish",
        pk("offered_case_study"),
        STAFF_ACTION,
        control="staff",
    ),
    post(
        "guidance:staff_case_study_decline",
        pk("offered_case_study"),
        STAFF_ACTION,
        lambda w: {"reason": "Names a member of the public."},
        control="staff",
    ),
    post(
        "guidance:case_study_offer",
        pk("contract", "contract_pk"),
        BUYER_A_ACTION,
        lambda w: {
            "title": "Faster repairs",
            "problem": "Slow.",
            "approach": "Direct award.",
            "outcomes": "Fast.",
            "supplier_agreed": "on",
        },
        control="buyer_a_member",
    ),
    post(
        "reviews:staff_reject",
        pk("held_review"),
        STAFF_ACTION,
        lambda w: {"reason": "Contains a link."},
        control="staff",
    ),
    post("reviews:staff_dismiss_reports", pk("review"), STAFF_ACTION, control="staff"),
    post("accounts:domain_remove", pk("domain"), STAFF_ACTION, control="staff"),
    post(
        "notifications:read",
        pk("notification"),
        refused(all=404, anonymous=LOGIN, buyer_a_member=None),
        control="buyer_a_member",
    ),
    # Everyone signed in may mark their own as read; buyer A's member has one to mark.
    post(
        "notifications:read_all",
        lambda w: {},
        refused(all=None, anonymous=LOGIN),
        control="buyer_a_member",
    ),
    post(
        "notifications:settings",
        lambda w: {},
        refused(all=None, anonymous=LOGIN),
        data=lambda w: {"email": "daily"},
        control="buyer_a_member",
    ),
    post("reporting:staff_recalculate", lambda w: {}, STAFF_ACTION, control="staff"),
    post("matching:index_rebuild", lambda w: {}, STAFF_ACTION, control="staff"),
    # Supplier A's own things.
    post(
        "suppliers:application_withdraw",
        pk("application"),
        refused(all=403, anonymous=LOGIN, supplier_a_admin=None, supplier_b_admin=404),
        control="supplier_a_admin",
    ),
    post(
        "suppliers:profile_edit",
        lambda w: {},
        # A supplier member's POST shows the read-only profile (200) and saves nothing; each
        # admin edits only its own organisation's profile (there is no id in the address).
        refused(
            all=403,
            anonymous=LOGIN,
            supplier_admins=None,
            supplier_a_member=200,
            supplier_b_member=200,
        ),
        lambda w: {"legal_name": "Hijacked Ltd", "contact_email": "x@example.com"},
    ),
    post(
        "catalogue:supplier_offer_submit",
        pk("draft_offer"),
        SUPPLIER_A_ACTION,
        control="supplier_a_member",
    ),
    post(
        "catalogue:supplier_offer_recall",
        pk("submitted_offer"),
        SUPPLIER_A_ACTION,
        control="supplier_a_member",
    ),
    post(
        "catalogue:supplier_offer_withdraw",
        pk("offer"),
        SUPPLIER_A_ACTION,
        lambda w: {"reason": "No longer sold."},
        control="supplier_a_admin",
    ),
    post(
        "catalogue:supplier_offer_delete",
        pk("draft_offer"),
        SUPPLIER_A_ACTION,
        control="supplier_a_admin",
    ),
    post(
        "catalogue:supplier_offer_edit",
        pk("draft_offer"),
        SUPPLIER_A_ACTION,
        lambda w: {"title": "Renamed by someone else"},
    ),
    post(
        "catalogue:supplier_offer_document_remove",
        lambda w: {"pk": w.draft_offer.pk, "doc_pk": w.draft_document.pk},
        SUPPLIER_A_ACTION,
        control="supplier_a_admin",
    ),
    post(
        "reviews:helpful",
        pk("review"),
        # Only buyers, and not about their own organisation's review (buyer A: a message and
        # a redirect, nothing saved).
        refused(all=403, anonymous=LOGIN, buyer_a=302, buyer_b=None),
        control="buyer_b_member",
    ),
    post(
        # A document of A's draft offer under A's published offer's address.
        "catalogue:supplier_offer_document_remove",
        lambda w: {"pk": w.offer.pk, "doc_pk": w.draft_document.pk},
        refused(all=403, anonymous=LOGIN, suppliers=404),
        variant="wrong-offer",
    ),
    post(
        "reviews:respond",
        pk("review"),
        SUPPLIER_A_ACTION,
        lambda w: {"text": "Thank you for the review."},
        control="supplier_a_member",
    ),
    post(
        "buying:supplier_question",
        pk("invitation"),
        SUPPLIER_A_ACTION,
        lambda w: {"question": "Can we bid twice?"},
        control="supplier_a_admin",
    ),
    # Buyer A's own things.
    post("buying:shortlist_freeze", pk("shortlist"), BUYER_A_ACTION, control="buyer_a_member"),
    post(
        "buying:shortlist_add",
        pk("shortlist"),
        BUYER_A_ACTION,
        lambda w: {"offer": w.offers["b_published"].pk},
        control="buyer_a_member",
    ),
    post(
        "buying:shortlist_remove",
        lambda w: {"pk": w.shortlist.pk, "item_pk": w.shortlist_item.pk},
        BUYER_A_ACTION,
        control="buyer_a_member",
    ),
    post(
        # Organisation A's own admin, but an item of another shortlist under this address.
        "buying:shortlist_remove",
        lambda w: {"pk": w.shortlist.pk, "item_pk": w.frozen_item.pk},
        refused(all=403, anonymous=LOGIN, buyers=404),
        variant="wrong-shortlist",
    ),
    post(
        "buying:shortlist_outcome",
        pk("frozen"),
        BUYER_A_ACTION,
        lambda w: {"outcome": "none_suitable", "note": "Nothing fitted."},
        control="buyer_a_member",
    ),
    post("buying:saved_search_delete", pk("saved_search"), BUYER_A_ACTION, control="buyer_a_admin"),
    post("buying:saved_search_freeze", pk("saved_search"), BUYER_A_ACTION, control="buyer_a_admin"),
    post("buying:requirement_copy", pk("requirement"), BUYER_A_ACTION, control="buyer_a_member"),
    post(
        "buying:requirement_delete",
        pk("requirement_draft"),
        BUYER_A_ACTION,
        control="buyer_a_member",
    ),
    post(
        "buying:requirement_step",
        lambda w: {"pk": w.requirement_draft.pk, "step": "problem"},
        BUYER_A_ACTION,
        lambda w: {"problem": "Rewritten by another organisation."},
        control="buyer_a_member",
    ),
    post(
        "matching:shortlist_add",
        pk("requirement"),
        BUYER_A_ACTION,
        lambda w: {"offer": w.offer.pk},
        control="buyer_a_member",
    ),
    post("matching:rerun", pk("requirement"), BUYER_A_ACTION, control="buyer_a_member"),
    post(
        "buying:direct_award_item",
        lambda w: {"pk": w.frozen.pk, "item_pk": w.frozen_item.pk},
        BUYER_A_ACTION,
        _award_data,
        control="buyer_a_admin",
    ),
    post(
        "buying:competition_publish",
        pk("competition_draft"),
        BUYER_A_ACTION,
        control="buyer_a_admin",
    ),
    post(
        "buying:competition_cancel",
        pk("competition_open"),
        BUYER_A_ACTION,
        lambda w: {"reason": "Budget withdrawn."},
        control="buyer_a_admin",
    ),
    post(
        "buying:competition_award",
        pk("competition_closed"),
        BUYER_A_ACTION,
        lambda w: {"response": str(w.response.pk), "rationale": "Best value.", "kpis": "Uptime"},
    ),
    post(
        "buying:clarification_answer",
        lambda w: {"pk": w.competition_open.pk, "question_pk": w.clarification.pk},
        BUYER_A_ACTION,
        lambda w: {"answer": "Yes.", "shared_question": "Is training included?"},
        control="buyer_a_admin",
    ),
    # Organisation admins.
    post(
        "accounts:invitation_revoke",
        pk("invitation_pending"),
        refused(all=403, anonymous=LOGIN, admins=404, buyer_a_admin=None),
        control="buyer_a_admin",
    ),
    post(
        "accounts:role",
        pk("member_membership"),
        refused(all=403, anonymous=LOGIN, admins=404, buyer_a_admin=None),
        lambda w: {"role": "admin"},
        control="buyer_a_admin",
    ),
    # Removing a member: the right admin must also confirm the password again (allauth's
    # reauthentication, tested in tests/accounts/test_leavers.py), so no control here.
    post(
        "accounts:member_remove",
        pk("member_membership"),
        refused(all=403, anonymous=LOGIN, admins=404, buyer_a_admin=None),
    ),
    # Leaving: any member; the only admin of an organisation is refused (a 200 page saying why).
    post(
        "accounts:leave",
        lambda w: {},
        refused(all=None, anonymous=LOGIN, staff=403, admins=200),
        control="buyer_a_member",
    ),
    post("accounts:close", lambda w: {}, refused(all=None, anonymous=LOGIN)),
    post(
        "accounts:staff_sign_on",
        pk("buyer_a"),
        STAFF_ACTION,
        lambda w: {
            "issuer": "https://login.example-idp.com/t/v2.0",
            "client_id": "ndx",
            "secret": "s3cret",
        },
        control="staff",
    ),
    post(
        "accounts:staff_account",
        lambda w: {"pk": w.users["buyer_b_member"].pk},
        STAFF_ACTION,
        lambda w: {"action": "suspend", "reason": "Left the council."},
        control="staff",
    ),
    # --- market ---------------------------------------------------------------------------------
    post(
        "market:engagement_new",
        lambda w: {},
        refused(all=403, anonymous=LOGIN, buyers=None),
        lambda w: {
            "title": "A new problem",
            "problem": "Something is hard.",
            "outcomes": "It is easy.",
            **_date_fields("closes_on", timezone.localdate() + timedelta(days=10)),
            "cpv_division": "72",
        },
        control="buyer_b_member",
    ),
    post(
        "market:engagement_ask",
        pk("engagement"),
        refused(all=None, anonymous=LOGIN, staff=403),
        lambda w: {"question": "When will you decide?"},
        control="supplier_b_member",
    ),
    post(
        "market:engagement_respond",
        pk("engagement"),
        refused(all=403, anonymous=LOGIN, suppliers=None),
        lambda w: {"approach": "An idea.", "is_sme": "yes", "is_vcse": "no"},
        control="supplier_b_member",
    ),
    post(
        "market:question_answer",
        lambda w: {"pk": w.engagement.pk, "question_pk": w.engagement_question.pk},
        BUYER_A_ACTION,
        lambda w: {f"q{w.engagement_question.pk}-answer": "Yes, a REST API."},
        control="buyer_a_member",
    ),
    post("market:engagement_close", pk("engagement"), BUYER_A_ACTION, control="buyer_a_member"),
    post(
        "market:response_useful",
        lambda w: {"pk": w.closed_engagement.pk, "response_pk": w.engagement_response.pk},
        BUYER_A_ACTION,
        lambda w: {"useful": "yes"},
        control="buyer_a_member",
    ),
    post(
        "market:engagement_conclude",
        pk("closed_engagement"),
        BUYER_A_ACTION,
        lambda w: {"summary": "The market can do it."},
        control="buyer_a_member",
    ),
    post(
        "market:engagement_convert",
        pk("closed_engagement"),
        BUYER_A_ACTION,
        control="buyer_a_member",
    ),
    post(
        "market:pipeline_add",
        lambda w: {},
        refused(all=403, anonymous=LOGIN, buyers=None),
        lambda w: {
            "title": "Bins",
            "cpv_division": "90",
            "estimated_value": "100000",
            **_date_fields("expected_start", timezone.localdate() + timedelta(days=60)),
            "route": "open",
        },
        control="buyer_b_member",
    ),
    post(
        "market:pipeline_requirement",
        pk("pipeline_entry"),
        BUYER_A_ACTION,
        control="buyer_a_member",
    ),
    post("market:pipeline_remove", pk("pipeline_entry"), BUYER_A_ACTION, control="buyer_a_member"),
    post(
        "market:directory_join",
        lambda w: {},
        refused(all=403, anonymous=LOGIN, suppliers=None),
        lambda w: {
            "description": "We mend roads.",
            "cpv_divisions": ["45"],
            "regions": ["wales"],
            "size": "micro",
            "consent_contact": "on",
            "frequency": "daily",
        },
        control="supplier_b_member",
    ),
    post(
        "market:withdraw",
        lambda w: {"token": "forged"},
        expect(all=400),
    ),
    post("market:search_follow", pk("saved_search"), BUYER_A_ACTION, control="buyer_a_member"),
    post(
        "market:requirement_privacy",
        pk("requirement_draft"),
        BUYER_A_ACTION,
        lambda w: {"private": "yes"},
        control="buyer_a_member",
    ),
]


def _post_cases():
    for entry in POSTS:
        for role, status in entry.expected.items():
            yield pytest.param(entry, role, status, id=f"{entry.id}-{role}")


@pytest.mark.parametrize(("entry", "role", "status"), list(_post_cases()))
def test_post_as_a_wrong_role_is_refused_and_changes_nothing(client, world, entry, role, status):
    url = reverse(entry.name, kwargs=entry.kwargs(world))
    client = sign_in(client, world, role)
    before = fingerprint()
    response = client.post(url, entry.data(world))
    _check(response, status, role, f"POST {url}")
    changed = changed_tables(before, fingerprint())
    assert not changed, f"POST {url} as {role} was refused but changed {changed}"


@pytest.mark.parametrize("entry", [e for e in POSTS if e.control], ids=lambda e: e.id)
def test_post_as_the_right_role_does_change_something(client, world, entry):
    """The control for the test above: the same request from the right role is accepted."""
    url = reverse(entry.name, kwargs=entry.kwargs(world))
    client = sign_in(client, world, entry.control)
    before = fingerprint()
    response = client.post(url, entry.data(world))
    assert response.status_code in (200, 302), f"POST {url} as {entry.control}"
    assert changed_tables(before, fingerprint()), (
        f"POST {url} as {entry.control} changed nothing: the request itself is not valid, so "
        "the wrong-role test proves little"
    )


def test_every_post_only_endpoint_is_tested_with_wrong_roles():
    """Every URL that only takes POST has a wrong-role POST case above, or a reason here."""
    not_state_changing = {
        # The comparison lives in the visitor's session: nobody else's data to protect.
        "catalogue:compare_add",
        "catalogue:compare_remove",
        # Creates a new shortlist in the buyer's own organisation only (no object to attack).
        "buying:shortlist_create",
    }
    tested = {e.name for e in POSTS}
    post_only = {r.name for r in ROWS if r.expected == POST_ONLY}
    untested = sorted(post_only - tested - not_state_changing)
    assert not untested, f"POST-only endpoints with no wrong-role POST test: {untested}"


# --- other rules every URL follows ---------------------------------------------------------------


ROUTES = {name: route for name, route, _, _ in _patterns() if name}


@pytest.mark.parametrize(
    "entry",
    [r for r in ROWS if ROUTES.get(r.name, "").startswith(("staff/", "admin/"))],
    ids=lambda r: r.id,
)
def test_staff_pages_need_an_authenticator_app(client, world, entry):
    """Staff who have not set up TOTP are sent to set it up from every staff page."""
    url = entry.url(world)
    response = sign_in(client, world, "staff_without_mfa").get(url)
    assert response.status_code == 302, f"GET {url}: got {response.status_code}"
    assert response["Location"] == reverse("mfa_activate_totp"), f"GET {url}"


@pytest.mark.parametrize(
    "entry",
    [r for r in ROWS if ROUTES.get(r.name, "").startswith(("staff/", "admin/"))],
    ids=lambda r: r.id,
)
def test_staff_pages_need_two_factor_in_this_session(client, world, entry):
    """Staff whose session passed only the password step get no staff page or admin page:
    they are sent to give the code from their authenticator app first."""
    url = entry.url(world)
    response = sign_in(client, world, "staff_password_only").get(url)
    assert response.status_code == 302, f"GET {url}: got {response.status_code}"
    location = urlsplit(response["Location"])
    assert location.path == reverse("mfa_reauthenticate"), f"GET {url}: sent to {location}"
    assert parse_qs(location.query)["next"] == [url], f"GET {url}: sent to {location}"


def _first_allowed(entry: Row) -> str | None:
    allowed = [role for role in ROLES if entry.expected[role] == 200]
    signed_in = [role for role in allowed if role != "anonymous"]
    return (signed_in or allowed or [None])[0]


@pytest.mark.parametrize("entry", [r for r in ROWS if _first_allowed(r)], ids=lambda r: r.id)
def test_get_changes_nothing(client, world, entry):
    """GET is safe: showing a page (even a form) never writes to the database."""
    role = _first_allowed(entry)
    url = entry.url(world)
    client = sign_in(client, world, role)
    before = fingerprint()
    response = client.get(url)
    if response.streaming:
        # Read it to the end: the client's wrapper then closes it without closing the
        # database connection (calling close() directly would, ending the world's transaction).
        b"".join(response.streaming_content)
    assert response.status_code == 200
    changed = changed_tables(before, fingerprint())
    assert not changed, f"GET {url} as {role} changed {changed}"


@pytest.mark.parametrize("entry", [e for e in POSTS if e.control], ids=lambda e: e.id)
def test_post_without_a_csrf_token_is_refused(world, entry):
    """The right role's valid request, without the CSRF token, is refused and changes nothing."""
    client = sign_in(Client(enforce_csrf_checks=True), world, entry.control)
    url = reverse(entry.name, kwargs=entry.kwargs(world))
    before = fingerprint()
    response = client.post(url, entry.data(world))
    assert response.status_code == 403, f"POST {url} as {entry.control} without a CSRF token"
    assert not changed_tables(before, fingerprint())
