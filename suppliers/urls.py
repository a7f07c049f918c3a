from django.urls import path

from . import import_views, views

app_name = "suppliers"

urlpatterns = [
    path("suppliers/", views.dashboard, name="dashboard"),
    path("suppliers/profile/", views.profile_edit, name="profile_edit"),
    path("suppliers/frameworks/", views.frameworks, name="frameworks"),
    path("suppliers/frameworks/lots/<id:lot_pk>/apply/", views.apply, name="apply"),
    path(
        "suppliers/applications/<id:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("suppliers/<id:pk>/", views.public_profile, name="public_profile"),
    path("staff/applications/", views.staff_applications, name="staff_applications"),
    path("staff/applications/<id:pk>/", views.staff_application, name="staff_application"),
    path("staff/suppliers/", views.staff_supplier_frameworks, name="staff_supplier_frameworks"),
    path(
        "staff/frameworks/<id:framework_pk>/suppliers/",
        views.staff_framework_suppliers,
        name="staff_framework_suppliers",
    ),
    path("staff/memberships/<id:pk>/", views.staff_membership, name="staff_membership"),
    # Staff catalogue uploads (import_views.py): suppliers and their offers in bulk.
    path("staff/imports/", import_views.import_list, name="staff_imports"),
    path("staff/imports/new/", import_views.import_create, name="staff_import_create"),
    path("staff/imports/<id:pk>/", import_views.import_detail, name="staff_import"),
]
