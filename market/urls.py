from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("engagements/", views.engagement_list, name="engagements"),
    path("engagements/new/", views.engagement_new, name="engagement_new"),
    path("engagements/<id:pk>/", views.engagement_detail, name="engagement"),
    path("engagements/<id:pk>/ask/", views.engagement_ask, name="engagement_ask"),
    path("engagements/<id:pk>/respond/", views.engagement_respond, name="engagement_respond"),
    path("engagements/<id:pk>/responses/", views.engagement_manage, name="engagement_manage"),
    path(
        "engagements/<id:pk>/questions/<id:question_pk>/answer/",
        views.question_answer,
        name="question_answer",
    ),
    path("engagements/<id:pk>/close/", views.engagement_close, name="engagement_close"),
    path(
        "engagements/<id:pk>/responses/<id:response_pk>/useful/",
        views.response_useful,
        name="response_useful",
    ),
    path("engagements/<id:pk>/conclude/", views.engagement_conclude, name="engagement_conclude"),
    path("engagements/<id:pk>/convert/", views.engagement_convert, name="engagement_convert"),
    path("pipeline/", views.pipeline_list, name="pipeline"),
    path("pipeline.csv", views.pipeline_csv, name="pipeline_csv"),
    path("pipeline/new/", views.pipeline_add, name="pipeline_add"),
    path("pipeline/<id:entry_pk>/engagement/", views.engagement_new, name="pipeline_engagement"),
    path(
        "pipeline/<id:pk>/requirement/",
        views.pipeline_to_requirement,
        name="pipeline_requirement",
    ),
    path("pipeline/<id:pk>/remove/", views.pipeline_remove, name="pipeline_remove"),
    path("directory/", views.directory_search, name="directory"),
    path("directory/join/", views.directory_join, name="directory_join"),
    path("directory/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("market/alerts/", views.alerts, name="alerts"),
    path("market/searches/<id:pk>/follow/", views.search_follow, name="search_follow"),
    path(
        "market/requirements/<id:pk>/alerts/",
        views.requirement_privacy,
        name="requirement_privacy",
    ),
]
