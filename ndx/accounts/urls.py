from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.dashboard, name="dashboard"),
    path("account/organisation/", views.organisation_detail, name="organisation"),
    path("account/organisation/invite/", views.invitation_create, name="invite"),
    path(
        "account/organisation/invitations/<id:pk>/cancel/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("account/organisation/members/<id:pk>/role/", views.membership_role, name="role"),
    path("account/organisation/members/<id:pk>/remove/", views.member_remove, name="member_remove"),
    path("account/organisation/leave/", views.member_leave, name="leave"),
    path("account/your-data/", views.personal_data_download, name="personal_data"),
    path("account/close/", views.account_close, name="close"),
    path("invitations/<str:token>/", views.invitation_landing, name="invitation"),
    path("staff/domains/", views.domain_list, name="domains"),
    path("staff/accounts/", views.staff_accounts, name="staff_accounts"),
    path("staff/accounts/<id:pk>/", views.staff_account, name="staff_account"),
    path("staff/sign-on/", views.staff_sign_on_list, name="staff_sign_on_list"),
    path("staff/sign-on/<id:pk>/", views.staff_sign_on, name="staff_sign_on"),
    path("staff/domains/<id:pk>/remove/", views.domain_remove, name="domain_remove"),
]
