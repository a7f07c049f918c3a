"""Catalogue workflows, one module a subject:

- frameworks.py: frameworks and dynamic markets, their lots and declaration questions;
- offers.py: offers from draft to published, suspension, documents;
- content.py: checking what an offer says, and comparing two versions.

Callers in this app import from the module that owns the workflow. The names are also
re-exported here, so `from catalogue import services` keeps working for other apps.
"""

from .content import (
    CPV_RE,
    MAX_LIST_ITEMS,
    clean_revision_content,
    parse_money,
    revision_diff,
)
from .frameworks import (
    FRAMEWORK_FIELDS,
    framework_approve_live,
    framework_close,
    framework_create,
    framework_expire_due,
    framework_open_applications,
    framework_request_live,
    framework_update,
    lot_create,
    lot_update,
    question_add,
    question_remove,
)
from .offers import (
    approved_lots_for,
    offer_approve,
    offer_create,
    offer_delete_draft,
    offer_document_add,
    offer_document_remove,
    offer_recall,
    offer_reinstate,
    offer_reject,
    offer_submit,
    offer_suspend,
    offer_update,
    offer_withdraw,
    validate_pdf,
)

__all__ = [
    "CPV_RE",
    "FRAMEWORK_FIELDS",
    "MAX_LIST_ITEMS",
    "approved_lots_for",
    "clean_revision_content",
    "framework_approve_live",
    "framework_close",
    "framework_create",
    "framework_expire_due",
    "framework_open_applications",
    "framework_request_live",
    "framework_update",
    "lot_create",
    "lot_update",
    "offer_approve",
    "offer_create",
    "offer_delete_draft",
    "offer_document_add",
    "offer_document_remove",
    "offer_recall",
    "offer_reinstate",
    "offer_reject",
    "offer_submit",
    "offer_suspend",
    "offer_update",
    "offer_withdraw",
    "parse_money",
    "question_add",
    "question_remove",
    "revision_diff",
    "validate_pdf",
]
