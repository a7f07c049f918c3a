"""Site pages: status, template and content; navigation depends on who is signed in."""

import pytest

from tests.auth import Client

from .accounts.factories import StaffFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]


@pytest.mark.parametrize(
    ("url", "template", "text"),
    [
        ("/", "pages/home.html", "Buy public-sector technology at national prices"),
        ("/accessibility/", "pages/accessibility.html", "Accessibility statement"),
        ("/cookies/", "pages/cookies.html", "essential"),
        ("/privacy/", "pages/privacy.html", "Privacy notice"),
        ("/accounts/login/", "account/login.html", "Sign in"),
        ("/accounts/signup/", "account/signup.html", "Create an account"),
        ("/accounts/password/reset/", "account/password_reset.html", "Reset your password"),
    ],
)
def test_public_pages(client, url, template, text):
    response = client.get(url)
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]
    html = response.content.decode()
    assert text in html
    assert "National Digital Exchange" in html
    assert 'class="govuk-skip-link"' in html
    assert "govuk-phase-banner" in html
    assert "Accessibility statement" in html  # footer


def test_navigation_for_anonymous_buyer_and_staff(client):
    html = client.get("/").content.decode()
    assert "Sign in" in html and "Create an account" in html and "Sign out" not in html
    client.force_login(member())
    html = client.get("/").content.decode()
    assert "Your organisation" in html and "Sign out" in html and 'href="/staff/"' not in html
    client.force_login(StaffFactory())
    html = client.get("/").content.decode()
    assert 'href="/staff/"' in html


def test_404_page_is_govuk_styled(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "404.html" in [t.name for t in response.templates]


def test_403_page_is_govuk_styled(client):
    client.force_login(member())
    response = client.get("/staff/")
    assert response.status_code == 403
    assert "You do not have permission to view this page" in response.content.decode()


def test_500_page_is_govuk_styled(settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("boom")

    import ndx.urls

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("boom/", boom)], "handler500": ndx.urls.handler500}
    )
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_database_unavailable_gives_a_503_with_retry_after(rf):
    from django.db import OperationalError

    from ndx.views import error_500

    request = rf.get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = error_500(request)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.content.decode()
