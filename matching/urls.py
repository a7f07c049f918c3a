from django.urls import path

from . import pooling_views, views

app_name = "matching"

urlpatterns = [
    path("buying/requirements/<id:pk>/matches/", views.results, name="results"),
    path("buying/requirements/<id:pk>/matches/rerun/", views.rerun, name="rerun"),
    path(
        "buying/requirements/<id:pk>/matches/shortlist/", views.shortlist_add, name="shortlist_add"
    ),
    path("staff/matching/", views.index_status, name="index_status"),
    path("staff/matching/rebuild/", views.index_rebuild, name="index_rebuild"),
    path("staff/pooling/", pooling_views.clusters, name="clusters"),
    path("staff/pooling/new/", pooling_views.pool_create, name="pool_create"),
    path("staff/pooling/<id:pk>/cancel/", pooling_views.pool_cancel, name="pool_cancel"),
]
