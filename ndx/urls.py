from django.contrib import admin
from django.urls import include, path

from . import views
from .accounts.views import admin_login

# The admin signs in through django-allauth (one form, with two-factor and rate limits), and
# the staff middleware lets only sessions that passed two-factor into /admin/ and /staff/.
admin.site.login = admin_login
admin.site.site_header = "National Digital Exchange administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("accounts/", include("allauth.urls")),
    # homes before accounts: /staff/ is the staff home.
    path("", include("homes.urls")),
    path("", include("ndx.accounts.urls")),
    path("", include("ndx.notifications.urls")),
    path("", include("reporting.urls")),
    path("", include("catalogue.urls")),
    # matching before buying: /buying/requirements/<pk>/matches/ is not a question step.
    path("", include("matching.urls")),
    path("", include("buying.urls")),
    path("", include("contracts.urls")),
    path("", include("reviews.urls")),
    path("", include("suppliers.urls")),
    path("", include("market.urls")),
    path("", include("guidance.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "ndx.views.error_403"
handler404 = "ndx.views.error_404"
handler500 = "ndx.views.error_500"
