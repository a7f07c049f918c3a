from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("guidance/", views.index, name="index"),
    path("guidance/case-studies/", views.case_studies, name="case_studies"),
    path("guidance/case-studies/<id:pk>/", views.case_study, name="case_study"),
    path(
        "guidance/case-studies/offer/<id:contract_pk>/",
        views.case_study_offer,
        name="case_study_offer",
    ),
    path("guidance/<slug:slug>/", views.page, name="page"),
    path("staff/guidance/", views.staff_pages, name="staff_pages"),
    path("staff/guidance/case-studies/", views.staff_case_studies, name="staff_case_studies"),
    path("staff/guidance/case-studies/<id:pk>/", views.staff_case_study, name="staff_case_study"),
    path(
        "staff/guidance/case-studies/<id:pk>/publish/",
        views.staff_case_study_publish,
        name="staff_case_study_publish",
    ),
    path(
        "staff/guidance/case-studies/<id:pk>/decline/",
        views.staff_case_study_decline,
        name="staff_case_study_decline",
    ),
    path("staff/guidance/<slug:slug>/", views.staff_edit, name="staff_edit"),
]
