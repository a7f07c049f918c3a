from django.urls import path, re_path

from . import award_views, competition_views, criteria_views, pool_views, requirement_views, views

app_name = "buying"

urlpatterns = [
    path("buying/searches/", views.saved_searches, name="saved_searches"),
    path("buying/searches/new/", views.saved_search_create, name="saved_search_create"),
    path("buying/searches/<id:pk>/", views.saved_search_detail, name="saved_search"),
    path("buying/searches/<id:pk>/freeze/", views.saved_search_freeze, name="saved_search_freeze"),
    path("buying/searches/<id:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("buying/shortlists/new/", views.shortlist_create, name="shortlist_create"),
    path("buying/shortlists/<id:pk>/", views.shortlist_detail, name="shortlist"),
    path("buying/shortlists/<id:pk>/add/", views.shortlist_add, name="shortlist_add"),
    path(
        "buying/shortlists/<id:pk>/items/<id:item_pk>/remove/",
        views.shortlist_remove,
        name="shortlist_remove",
    ),
    path("buying/shortlists/<id:pk>/freeze/", views.shortlist_freeze, name="shortlist_freeze"),
    path("buying/shortlists/<id:pk>/outcome/", views.shortlist_outcome, name="shortlist_outcome"),
    re_path(
        r"^buying/shortlists/(?P<pk>[0-9]+)/export\.(?P<fmt>csv|ods)$",
        views.shortlist_export,
        name="shortlist_export",
    ),
    path("buying/requirements/", requirement_views.requirements, name="requirements"),
    path(
        "buying/requirements/new/",
        requirement_views.requirement_start,
        name="requirement_start",
    ),
    path(
        "buying/requirements/<id:pk>/",
        requirement_views.requirement_detail,
        name="requirement_detail",
    ),
    path(
        "buying/requirements/<id:pk>/check/",
        requirement_views.requirement_check,
        name="requirement_check",
    ),
    path(
        "buying/requirements/<id:pk>/delete/",
        requirement_views.requirement_delete,
        name="requirement_delete",
    ),
    path(
        "buying/requirements/<id:pk>/copy/",
        requirement_views.requirement_copy,
        name="requirement_copy",
    ),
    path(
        "buying/contracts/<id:contract_pk>/buy-again/",
        requirement_views.buy_again,
        name="buy_again",
    ),
    path(
        "buying/requirements/<id:pk>/<slug:step>/",
        requirement_views.requirement_step,
        name="requirement_step",
    ),
    # --- awards (contract pages are in contracts.urls) ---
    path(
        "buying/shortlists/<id:pk>/items/<id:item_pk>/award/",
        award_views.direct_award_item,
        name="direct_award_item",
    ),
    path(
        "buying/offers/<id:offer_pk>/award/",
        award_views.direct_award_offer,
        name="direct_award_offer",
    ),
    path(
        "buying/shortlists/<id:pk>/competition/",
        competition_views.competition_create,
        name="competition_create",
    ),
    path("buying/competitions/", competition_views.competitions, name="competitions"),
    path(
        "buying/competitions/<id:pk>/",
        competition_views.competition_detail,
        name="competition",
    ),
    path(
        "buying/competitions/<id:pk>/edit/",
        competition_views.competition_edit,
        name="competition_edit",
    ),
    path(
        "buying/competitions/<id:pk>/publish/",
        competition_views.competition_publish,
        name="competition_publish",
    ),
    path(
        "buying/competitions/<id:pk>/cancel/",
        competition_views.competition_cancel,
        name="competition_cancel",
    ),
    path(
        "buying/competitions/<id:pk>/questions/<id:question_pk>/",
        competition_views.clarification_answer,
        name="clarification_answer",
    ),
    path(
        "buying/competitions/<id:pk>/responses/<id:response_pk>/",
        competition_views.response_score,
        name="response_score",
    ),
    path(
        "buying/competitions/<id:pk>/award/",
        competition_views.competition_award,
        name="competition_award",
    ),
    path(
        "buying/competitions/<id:pk>/social-value/",
        criteria_views.competition_themes,
        name="competition_themes",
    ),
    path(
        "buying/competitions/<id:pk>/responses/<id:response_pk>/social-value/",
        criteria_views.response_themes,
        name="response_themes",
    ),
    path("buying/pools/", pool_views.pools, name="pools"),
    path("buying/pools/<id:pk>/", pool_views.pool, name="pool"),
    path("buying/pools/<id:pk>/join/", pool_views.pool_join, name="pool_join"),
    path("buying/pools/<id:pk>/decline/", pool_views.pool_decline, name="pool_decline"),
    path("buying/pools/<id:pk>/start/", pool_views.pool_start, name="pool_start"),
    path(
        "suppliers/competitions/",
        competition_views.supplier_competitions,
        name="supplier_competitions",
    ),
    path(
        "suppliers/competitions/<id:pk>/",
        competition_views.supplier_competition,
        name="supplier_competition",
    ),
    path(
        "suppliers/competitions/<id:pk>/ask/",
        competition_views.supplier_question,
        name="supplier_question",
    ),
    path(
        "suppliers/competitions/<id:pk>/respond/",
        competition_views.supplier_response,
        name="supplier_response",
    ),
]
