from django.urls import path  # noqa: F401

from .views import frameworks, offers, search  # noqa: F401

app_name = "catalogue"

# Staff pages for frameworks, lots and declaration questions (views/frameworks.py).
framework_patterns: list = [
    path("staff/frameworks/", frameworks.framework_list, name="staff_frameworks"),
    path("staff/frameworks/new/", frameworks.framework_create, name="staff_framework_create"),
    path("staff/frameworks/<id:pk>/", frameworks.framework_detail, name="staff_framework_detail"),
    path("staff/frameworks/<id:pk>/edit/", frameworks.framework_edit, name="staff_framework_edit"),
    path(
        "staff/frameworks/<id:pk>/open/",
        frameworks.framework_action,
        {"action": "open"},
        name="staff_framework_open",
    ),
    path(
        "staff/frameworks/<id:pk>/request-live/",
        frameworks.framework_action,
        {"action": "request_live"},
        name="staff_framework_request_live",
    ),
    path(
        "staff/frameworks/<id:pk>/approve-live/",
        frameworks.framework_action,
        {"action": "approve_live"},
        name="staff_framework_approve_live",
    ),
    path(
        "staff/frameworks/<id:pk>/close/",
        frameworks.framework_action,
        {"action": "close"},
        name="staff_framework_close",
    ),
    path("staff/frameworks/<id:pk>/lots/new/", frameworks.lot_create, name="staff_lot_create"),
    path(
        "staff/frameworks/<id:pk>/lots/<id:lot_pk>/edit/",
        frameworks.lot_edit,
        name="staff_lot_edit",
    ),
    path("staff/frameworks/<id:pk>/questions/", frameworks.question_list, name="staff_questions"),
    path(
        "staff/frameworks/<id:pk>/questions/<id:q_pk>/remove/",
        frameworks.question_remove,
        name="staff_question_remove",
    ),
]

# Supplier offer editing, staff review queue, public offer pages (views/offers.py).
offer_patterns: list = [
    path("suppliers/offers/", offers.supplier_offers, name="supplier_offers"),
    path("suppliers/offers/new/", offers.supplier_offer_create, name="supplier_offer_create"),
    path("suppliers/offers/<id:pk>/", offers.supplier_offer, name="supplier_offer"),
    path("suppliers/offers/<id:pk>/edit/", offers.supplier_offer_edit, name="supplier_offer_edit"),
    path(
        "suppliers/offers/<id:pk>/submit/",
        offers.supplier_offer_submit,
        name="supplier_offer_submit",
    ),
    path(
        "suppliers/offers/<id:pk>/recall/",
        offers.supplier_offer_recall,
        name="supplier_offer_recall",
    ),
    path(
        "suppliers/offers/<id:pk>/withdraw/",
        offers.supplier_offer_withdraw,
        name="supplier_offer_withdraw",
    ),
    path(
        "suppliers/offers/<id:pk>/delete/",
        offers.supplier_offer_delete,
        name="supplier_offer_delete",
    ),
    path(
        "suppliers/offers/<id:pk>/documents/",
        offers.supplier_offer_documents,
        name="supplier_offer_documents",
    ),
    path(
        "suppliers/offers/<id:pk>/documents/<id:doc_pk>/remove/",
        offers.supplier_offer_document_remove,
        name="supplier_offer_document_remove",
    ),
    path("staff/offers/", offers.staff_offer_queue, name="staff_offer_queue"),
    path(
        "staff/offers/review/<id:revision_pk>/",
        offers.staff_offer_review,
        name="staff_offer_review",
    ),
    path("staff/offers/<id:pk>/", offers.staff_offer, name="staff_offer"),
    path("staff/offers/<id:pk>/suspend/", offers.staff_offer_suspend, name="staff_offer_suspend"),
    path(
        "staff/offers/<id:pk>/reinstate/",
        offers.staff_offer_reinstate,
        name="staff_offer_reinstate",
    ),
    path("catalogue/offers/<id:pk>/", offers.offer_detail, name="offer_detail"),
    path(
        "catalogue/offers/<id:pk>/documents/<id:doc_pk>/",
        offers.offer_document,
        name="offer_document",
    ),
]

# Buyer discovery: search and compare (views/search.py).
search_patterns: list = [
    path("catalogue/", search.search, name="search"),
    path("catalogue/compare/", search.compare, name="compare"),
    path("catalogue/compare/add/", search.compare_add, name="compare_add"),
    path("catalogue/compare/remove/", search.compare_remove, name="compare_remove"),
]

urlpatterns = framework_patterns + offer_patterns + search_patterns
