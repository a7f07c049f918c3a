"""Audit actions in plain words: one catalogue for every app.

Every `action` code passed to `audit_record` anywhere in the code base has a sentence here, so
a history reads "Shortlist frozen by Priya Shah", never "shortlist.frozen".
tests/test_audit_sentences.py scans the source and fails when a code has no sentence.

    audit_sentence(entry)        # "Shortlist frozen by Priya Shah"
    action_phrase("offer.approved")   # "Offer approved"

In templates: `{% load plain %}{{ entry|audit_sentence }}`.

A code built at run time (an f-string such as f"framework_membership.{status}") is listed in
DYNAMIC_ACTIONS with every value it can take, and each resulting code has a sentence.
"""

from __future__ import annotations

SENTENCES: dict[str, str] = {
    # accounts and organisations
    "account.staff_signed_in": "Signed in to the staff pages",
    "approved_domain.added": "Approved email domain added",
    "approved_domain.removed": "Approved email domain removed",
    "invitation.created": "Invitation sent",
    "invitation.accepted": "Invitation accepted",
    "invitation.revoked": "Invitation cancelled",
    "membership.joined_by_domain": "Joined the organisation with an approved email address",
    "membership.role_changed": "Role changed",
    "membership.removed": "Removed from the organisation",
    "membership.left": "Left the organisation",
    "membership.joined_by_sign_on": "Joined the organisation through its single sign-on",
    "account.suspended": "Account suspended",
    "account.reinstated": "Account reinstated",
    "account.closed": "Account closed",
    "account.pseudonymised": "Name and email address replaced with a pseudonym",
    "sign_on.created": "Single sign-on set up",
    "sign_on.changed": "Single sign-on changed",
    "sign_on.removed": "Single sign-on removed",
    "organisation.registered": "Organisation registered",
    # catalogue: frameworks, lots, offers, imports
    "catalogue.import_queued": "Catalogue import started",
    "catalogue.imported": "Catalogue imported",
    "framework.created": "Framework created",
    "framework.updated": "Framework details changed",
    "framework.opened": "Framework opened for applications",
    "framework.live_requested": "Asked for approval to make the framework live",
    "framework.approved_live": "Framework approved and made live",
    "framework.closed": "Framework closed",
    "framework.expired": "Framework expired",
    "framework.question_added": "Declaration question added",
    "framework.question_removed": "Declaration question removed",
    "lot.created": "Lot added",
    "lot.updated": "Lot changed",
    "offer.created": "Offer created",
    "offer.edited": "Offer changed",
    "offer.submitted": "Offer sent for approval",
    "offer.recalled": "Offer taken back from approval",
    "offer.approved": "Offer approved",
    "offer.rejected": "Offer rejected",
    "offer.suspended": "Offer suspended",
    "offer.reinstated": "Offer reinstated",
    "offer.withdrawn": "Offer withdrawn",
    "offer.deleted": "Draft offer deleted",
    "offer.document_added": "Document added to the offer",
    "offer.document_removed": "Document removed from the offer",
    # suppliers
    "supplier.profile_saved": "Supplier profile saved",
    "lot_application.submitted": "Application to a lot sent",
    "lot_application.approved": "Application to a lot approved",
    "lot_application.rejected": "Application to a lot rejected",
    "lot_application.withdrawn": "Application to a lot withdrawn",
    "framework_membership.active": "Supplier made active on the framework",
    "framework_membership.suspended": "Supplier suspended from the framework",
    "framework_membership.removed": "Supplier removed from the framework",
    "framework_membership.reapplication_allowed": "Supplier allowed to apply again",
    # buying: requirements, saved searches, shortlists, competitions, contracts
    "requirement.started": "Requirement started",
    "requirement.answered": "Requirement question answered",
    "requirement.submitted": "Requirement finished",
    "requirement.handed_over": "Requirement handed over to a colleague",
    "requirement.copied": "Requirement copied",
    "requirement.deleted": "Requirement deleted",
    "saved_search.created": "Search saved",
    "saved_search.deleted": "Saved search deleted",
    "shortlist.created": "Shortlist created",
    "shortlist.offer_added": "Offer added to the shortlist",
    "shortlist.offer_removed": "Offer removed from the shortlist",
    "shortlist.frozen": "Shortlist frozen",
    "shortlist.outcome_recorded": "Shortlist outcome recorded",
    "competition.created": "Further competition created",
    "competition.updated": "Further competition changed",
    "competition.published": "Further competition published",
    "competition.invited": "Suppliers invited to the further competition",
    "competition.cancelled": "Further competition cancelled",
    "competition.awarded": "Further competition awarded",
    "clarification.asked": "Clarification question asked",
    "clarification.answered": "Clarification question answered",
    "competition_response.submitted": "Bid sent",
    "competition_response.replaced": "Bid changed and sent again",
    "competition_response.scored": "Bid scored",
    "contract.awarded": "Contract awarded",
    # reviews
    "review.published": "Review published",
    "review.held": "Review held for moderation",
    "review.moderation_published": "Review published after moderation",
    "review.rejected": "Review rejected",
    "review.reported": "Review reported",
    "review.reports_dismissed": "Reports about the review dismissed",
    "review.responded": "Supplier replied to the review",
    "review.marked_helpful": "Review marked as helpful",
    "review.reminder_sent": "Reminder to review sent",
    # matching and reporting
    "matching.index_build_requested": "Search index rebuild requested",
    "matching.requirement_matched": "Offers matched to the requirement",
    "reporting.snapshot_computed": "Report figures worked out",
    "reporting.spend_imported": "Spend data imported",
    # leavers, suspensions, personal data and single sign-on
    "requirement.bought_again": "Requirement started from an earlier contract",
    # contract management
    "contract.started": "Contract started",
    "contract.ended": "Contract ended",
    "contract.extended": "Contract extended",
    "contract.terminated": "Contract ended early",
    "contract.kpis_set": "Key performance indicators set",
    "contract.report_filed": "Performance report filed",
    "contract.report_responded": "Supplier responded to a performance report",
    "contract.report_reminder": "Reminder sent that a performance report is due",
    "contract.flagged": "Contract flagged to staff after two inadequate ratings",
    "contract.renewal_reminder": "Reminder sent that the contract is ending",
    "contract.variation_proposed": "Contract change proposed",
    "contract.variation_accepted": "Contract change accepted",
    "contract.variation_rejected": "Contract change rejected",
    "contract.variation_withdrawn": "Contract change withdrawn",
    "contract.change_notice": "Contract change notice published",
    "contract.benefits_assessed": "Benefits assessed",
    "contract.benefits_not_assessed": "Benefits marked as not assessed, with a reason",
    # decision support: guidance, case studies, social value, pooled demand, volume prices
    "guidance.page_created": "Guidance page created",
    "guidance.page_updated": "Guidance page changed",
    "case_study.offered": "Offered as a case study",
    "case_study.published": "Case study published",
    "case_study.declined": "Case study declined",
    "case_study.withdrawn": "Case study withdrawn",
    "competition.social_value_themes": "Social value themes chosen for the competition",
    "response.theme_scores": "Social value themes scored",
    "pool.created": "Buyers invited to pool their demand",
    "pool.joined": "Joined the pooled competition",
    "pool.declined": "Declined the pooled competition",
    "pool.competition_started": "Pooled competition started",
    "pool.awarded": "Pooled competition awarded, a contract for each buyer",
    "pool.cancelled": "Pooled competition cancelled",
    "offer.volume_tiers_set": "Volume prices set",
    # before the procurement: engagements, forward plans, the directory, alerts
    "engagement.published": "Market engagement published",
    "engagement.question_asked": "Question asked about the engagement",
    "engagement.question_answered": "Question about the engagement answered and published",
    "engagement.responded": "Response sent to the engagement",
    "engagement.response_marked": "Response marked as useful",
    "engagement.closed": "Market engagement closed",
    "engagement.concluded": "What was learned from the engagement published",
    "engagement.converted": "Engagement turned into a requirement",
    "pipeline.entry_added": "Planned procurement added to the forward plan",
    "pipeline.entry_removed": "Planned procurement removed from the forward plan",
    "pipeline.entry_started": "Planned procurement started",
    "directory.joined": "Joined the supplier directory",
    "directory.consent_withdrawn": "Consent to be contacted withdrawn",
    "requirement.alert_privacy": "Requirement alerts to suppliers changed",
    "search.followed": "Saved search followed",
    "search.unfollowed": "Saved search no longer followed",
}

# Codes built at run time: {pattern with "{}": the values it can take}.
DYNAMIC_ACTIONS: dict[str, tuple[str, ...]] = {
    "framework_membership.{}": ("active", "suspended", "removed"),
}


def action_phrase(code: str) -> str:
    """The plain phrase for an action code. A code missing from the catalogue (a test stops
    that reaching main) is still shown as words, never as the code."""
    if code in SENTENCES:
        return SENTENCES[code]
    words = code.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Changed"


def audit_sentence(entry) -> str:
    """'Shortlist frozen by Priya Shah' (or '... automatically' for the system's own actions)."""
    phrase = action_phrase(entry.action)
    actor = entry.actor
    if actor is None:
        return f"{phrase} automatically"
    return f"{phrase} by {actor}"
