from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("buying/requirements/<id:pk>/matches/", views.results, name="results"),
    path("buying/requirements/<id:pk>/matches/rerun/", views.rerun, name="rerun"),
    path(
        "buying/requirements/<id:pk>/matches/shortlist/", views.shortlist_add, name="shortlist_add"
    ),
    path("staff/matching/", views.index_status, name="index_status"),
    path("staff/matching/rebuild/", views.index_rebuild, name="index_rebuild"),
]
