from django.conf import settings

from tests.auth import Client


def sign_in(page, live_server, user) -> None:
    """Give the browser a signed-in session for `user` (sign-in itself is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def click_and_wait(page, locator) -> None:
    """Click something that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("load")
