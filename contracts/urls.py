from django.urls import path

from . import manage_views, register_views, supplier_views, views

app_name = "contracts"

B = "buying/contracts/<id:pk>/"
S = "suppliers/contracts/<id:pk>/"

# The register and contract paths are the ones contracts had while they lived in buying.
urlpatterns = [
    path("buying/contracts/", views.contracts, name="contracts"),
    path(B, views.contract_detail, name="contract"),
    path(B + "kpis/", manage_views.kpis_set, name="kpis"),
    path(B + "reports/new/", manage_views.report_file, name="report_file"),
    path(B + "reports/<id:report_pk>/", manage_views.report_detail, name="report"),
    path(B + "changes/new/", manage_views.variation_propose, name="variation_propose"),
    path(
        B + "changes/<id:variation_pk>/withdraw/",
        manage_views.variation_withdraw,
        name="variation_withdraw",
    ),
    path(B + "extend/", manage_views.extend, name="extend"),
    path(B + "terminate/", manage_views.terminate, name="terminate"),
    path(B + "benefits/", manage_views.benefits_assess, name="benefits"),
    path(B + "benefits/not-assessed/", manage_views.benefits_not_assessed, name="not_assessed"),
    path(B + "close/", manage_views.close, name="close"),
    path(
        "buying/suppliers/<id:supplier_pk>/relationship/",
        register_views.supplier_relationship,
        name="relationship",
    ),
    path("suppliers/contracts/", views.supplier_contracts, name="supplier_contracts"),
    path(S, views.supplier_contract, name="supplier_contract"),
    path(S + "reports/<id:report_pk>/", supplier_views.report, name="supplier_report"),
    path(S + "changes/<id:variation_pk>/", supplier_views.variation, name="supplier_variation"),
    path(
        "suppliers/performance/", register_views.supplier_performance, name="supplier_performance"
    ),
    path("staff/contracts/", register_views.staff_register, name="staff_register"),
]
