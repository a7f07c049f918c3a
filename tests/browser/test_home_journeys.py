"""Each role with the demo data: sign in, land on its home, follow a notification to the
thing that needs action, act, and see the notification marked done; axe on every page.
The buyer's journey runs with JavaScript off. Screenshots of each home are kept in
test-artifacts/ (home-buyer.png, home-supplier.png, home-staff.png)."""

import pytest
from django.core.management import call_command

from ndx.accounts.demo import DEMO_PASSWORD
from ndx.notifications.models import Notification
from reviews.models import Review
from reviews.services import review_respond

from .fixtures import ARTIFACTS, assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-{name}.png"), full_page=True)


def sign_in_with_the_form(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    click_and_wait(page, page.locator("form button[type=submit]").first)


def test_staff_land_on_the_queues_and_publish_a_held_review(page, live_server, demo):
    from ndx.accounts.models import User

    staff = User.objects.get(email="staff@ndx.example")
    sign_in(page, live_server, staff)
    page.goto("/home/")
    assert page.url.endswith("/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Platform staff"
    assert "Technical administration" in page.inner_text("main")  # the demo's staff is superuser
    assert_no_axe_violations(page)
    screenshot(page, "staff")
    held = Review.objects.held().get()
    click_and_wait(page, page.get_by_role("link", name="Reviews to moderate").first)
    assert_no_axe_violations(page)
    page.goto(f"/staff/reviews/{held.pk}/")
    click_and_wait(page, page.get_by_role("button", name="Publish review"))
    held.refresh_from_db()
    assert held.is_published
    # Each member of the supplier is told.
    members = held.supplier.memberships.filter(user__is_active=True).count()
    told = Notification.objects.filter(kind="reviews.published", object_id=str(held.pk))
    assert told.count() == members


def _review_to_answer():
    """A published demo review, not yet answered, of a supplier that has people on NDX (the
    demo writes its reviews through review_create, which notified the supplier)."""
    from ndx.accounts.models import Membership

    for review in Review.objects.published().filter(response__isnull=True).order_by("pk"):
        admin = Membership.objects.filter(organisation=review.supplier, role="admin").first()
        if admin is not None:
            return review, admin.user
    raise AssertionError("the demo has no unanswered review of a supplier with people")


def test_supplier_follows_a_notification_and_answers_the_review(page, live_server, demo):
    held, admin = _review_to_answer()
    sign_in_with_the_form(page, admin.email)
    assert page.url.endswith("/home/")
    assert "Reviews to answer" in page.inner_text("main")
    assert "decision due by" in page.inner_text(
        "main"
    ) or "Waiting for a decision" in page.inner_text("main")
    assert_no_axe_violations(page)
    screenshot(page, "supplier")
    click_and_wait(page, page.locator('.govuk-service-navigation a[href="/notifications/"]'))
    assert_no_axe_violations(page)
    click_and_wait(page, page.locator(f'main a[href="/reviews/{held.pk}/respond/"]').first)
    assert page.url.endswith(f"/reviews/{held.pk}/respond/")
    assert_no_axe_violations(page)
    page.get_by_label("Your public response").fill("Thank you: we have fixed the login problem.")
    click_and_wait(page, page.get_by_role("button", name="Publish response"))
    notice = Notification.objects.get(
        recipient=admin, kind="reviews.published", object_id=str(held.pk)
    )
    assert notice.done_at is not None
    page.goto("/notifications/")
    assert "Done" in page.inner_text("main")
    assert_no_axe_violations(page)


def test_buyer_without_javascript_lands_on_its_work_and_follows_a_notification(
    browser, live_server, demo
):
    from ndx.accounts.models import User

    review, supplier_admin = _review_to_answer()
    review_respond(actor=supplier_admin, review=review, text="Thank you for the review.")
    buyer = User.objects.get(pk=review.author_id)
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    sign_in_with_the_form(page, buyer.email)
    assert page.url.endswith("/home/")
    main = page.inner_text("main")
    assert "Requirements to finish" in main and "Your organisation's figures" in main
    screenshot(page, "buyer")
    click_and_wait(page, page.locator('.govuk-service-navigation a[href="/notifications/"]'))
    click_and_wait(page, page.locator(f'main a[href="/reviews/{review.pk}/"]').first)
    assert page.url.endswith(f"/reviews/{review.pk}/")
    assert "Thank you for the review." in page.inner_text("main")
    page.goto("/notifications/")
    click_and_wait(page, page.get_by_role("button", name="Mark all as read"))
    assert not Notification.objects.filter(recipient=buyer, read_at__isnull=True).exists()
    page.goto("/reports/organisation/")
    assert "By financial year" in page.inner_text("main")
    context.close()
