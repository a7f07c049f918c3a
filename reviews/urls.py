from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.my_reviews, name="mine"),
    path("reviews/contracts/<id:contract_pk>/new/", views.review_write, name="write"),
    path("reviews/supplier/", views.supplier_reviews, name="supplier_reviews"),
    path("reviews/offers/<id:offer_pk>/", views.offer_reviews, name="offer_reviews"),
    path("reviews/<id:pk>/", views.review_detail, name="detail"),
    path("reviews/<id:pk>/helpful/", views.review_helpful, name="helpful"),
    path("reviews/<id:pk>/report/", views.review_report, name="report"),
    path("reviews/<id:pk>/respond/", views.review_respond, name="respond"),
    path("staff/reviews/", views.staff_queue, name="staff_queue"),
    path("staff/reviews/<id:pk>/", views.staff_review, name="staff_review"),
    path("staff/reviews/<id:pk>/publish/", views.staff_publish, name="staff_publish"),
    path("staff/reviews/<id:pk>/reject/", views.staff_reject, name="staff_reject"),
    path(
        "staff/reviews/<id:pk>/dismiss-reports/",
        views.staff_dismiss_reports,
        name="staff_dismiss_reports",
    ),
]
