"""The signed-in header fits on one line at 1280 px, the account menu works without a script,
the home page's search box goes to the catalogue search, and the notifications page works:
follow a notification to its page, mark it as read, with axe on every page."""

import pytest

from ndx.notifications.models import Notification
from ndx.notifications.services import notification_send

from ..accounts.factories import (
    BuyerOrganisationFactory,
    StaffFactory,
    SupplierOrganisationFactory,
    member,
)
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def notify(user, count: int) -> None:
    for i in range(count):
        notification_send(
            recipient=user,
            kind="accounts.test",
            title=f"Something for you to do, number {i + 1}",
            body="A plain sentence about it.",
            url="/account/organisation/",
            key=f"header-{i}",
        )


def nav_rows(page) -> int:
    items = page.locator(".govuk-service-navigation__item")
    return len({round(items.nth(i).bounding_box()["y"]) for i in range(items.count())})


@pytest.mark.parametrize("role", ["buyer", "supplier", "staff"])
def test_the_signed_in_header_fits_on_one_line_at_1280(page, live_server, role):
    if role == "buyer":
        user = member(BuyerOrganisationFactory(name="Leeds City Council"), role="admin")
    elif role == "supplier":
        user = member(SupplierOrganisationFactory(name="Northwind Digital Ltd"), role="admin")
    else:
        user = StaffFactory()
    notify(user, 12)
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    assert nav_rows(page) == 1
    # The count is in the link's name, so a screen reader hears it.
    assert page.get_by_role("link", name="Notifications (12 unread)").is_visible()
    assert page.get_by_text("Your account", exact=True).first.is_visible()
    assert_no_axe_violations(page)


def test_the_account_menu_opens_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    user = member(BuyerOrganisationFactory(name="Leeds City Council"))
    sign_in(page, live_server, user)
    page.goto("/")
    organisation = page.get_by_role("link", name="Your organisation")
    assert not organisation.is_visible()  # closed until asked
    page.locator(".ndx-account-menu__summary").click()
    assert page.get_by_role("link", name="Sign out").is_visible()
    click_and_wait(page, organisation)
    assert page.url.endswith("/account/organisation/")
    context.close()


def test_the_home_page_search_goes_to_the_catalogue_search(page):
    page.goto("/")
    page.get_by_label("Search for technology deals").fill("case management")
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Search", exact=True))
    assert "/catalogue/?q=case+management" in page.url
    assert page.get_by_label("Search pre-approved offers").input_value() == "case management"


def test_follow_a_notification_and_mark_it_read(page, live_server):
    user = member(BuyerOrganisationFactory(name="Leeds City Council"), role="admin")
    notify(user, 2)
    sign_in(page, live_server, user)
    page.goto("/")
    click_and_wait(page, page.get_by_role("link", name="Notifications (2 unread)"))
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert "You have 2 unread notifications." in page.inner_text("main")
    assert_no_axe_violations(page)

    click_and_wait(page, page.get_by_role("link", name="Something for you to do, number 1"))
    assert page.url.endswith("/account/organisation/")
    page.goto("/notifications/")
    click_and_wait(
        page,
        page.get_by_role("button", name="Mark “Something for you to do, number 1” as read"),
    )
    assert page.get_by_role("link", name="Notifications (1 unread)").is_visible()
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Mark all as read"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()

    click_and_wait(page, page.get_by_role("link", name="Change how you are emailed"))
    assert_no_axe_violations(page)
    page.get_by_label("Email me once a day with a summary").check()
    click_and_wait(page, page.get_by_role("button", name="Save email settings"))
    assert "Your email settings have been saved" in page.inner_text("main")
