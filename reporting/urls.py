from django.urls import path

from . import market_views, views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/organisation/", views.organisation_reports, name="organisation"),
    path("reports/sme-share.csv", views.sme_csv, name="sme_csv"),
    path("reports/savings.csv", views.savings_csv, name="savings_csv"),
    path("reports/time-to-contract.csv", views.time_csv, name="time_csv"),
    path("staff/reports/", views.staff_dashboard, name="staff_dashboard"),
    path("staff/reports/recalculate/", views.staff_recalculate, name="staff_recalculate"),
    path("staff/reports/sme-share.csv", views.staff_sme_csv, name="staff_sme_csv"),
    path("staff/reports/savings.csv", views.staff_savings_csv, name="staff_savings_csv"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/ocds/releases.json", views.ocds_releases, name="ocds_releases"),
    path("open-data/ocds/records/<str:ocid>.json", views.ocds_record, name="ocds_record"),
    path(
        "open-data/ocds/market-releases.json",
        market_views.ocds_market_releases,
        name="ocds_market_releases",
    ),
]
