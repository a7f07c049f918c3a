from django.urls import path, re_path

from . import requirement_views, views

app_name = "buying"

urlpatterns = [
    path("buying/searches/", views.saved_searches, name="saved_searches"),
    path("buying/searches/new/", views.saved_search_create, name="saved_search_create"),
    path("buying/searches/<int:pk>/", views.saved_search_detail, name="saved_search"),
    path("buying/searches/<int:pk>/freeze/", views.saved_search_freeze, name="saved_search_freeze"),
    path("buying/searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("buying/shortlists/new/", views.shortlist_create, name="shortlist_create"),
    path("buying/shortlists/<int:pk>/", views.shortlist_detail, name="shortlist"),
    path("buying/shortlists/<int:pk>/add/", views.shortlist_add, name="shortlist_add"),
    path(
        "buying/shortlists/<int:pk>/items/<int:item_pk>/remove/",
        views.shortlist_remove,
        name="shortlist_remove",
    ),
    path("buying/shortlists/<int:pk>/freeze/", views.shortlist_freeze, name="shortlist_freeze"),
    path("buying/shortlists/<int:pk>/outcome/", views.shortlist_outcome, name="shortlist_outcome"),
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
        "buying/requirements/<int:pk>/",
        requirement_views.requirement_detail,
        name="requirement_detail",
    ),
    path(
        "buying/requirements/<int:pk>/check/",
        requirement_views.requirement_check,
        name="requirement_check",
    ),
    path(
        "buying/requirements/<int:pk>/delete/",
        requirement_views.requirement_delete,
        name="requirement_delete",
    ),
    path(
        "buying/requirements/<int:pk>/copy/",
        requirement_views.requirement_copy,
        name="requirement_copy",
    ),
    path(
        "buying/requirements/<int:pk>/<slug:step>/",
        requirement_views.requirement_step,
        name="requirement_step",
    ),
]
