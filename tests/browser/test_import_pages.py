"""Staff catalogue import pages in headless Chromium: upload, progress, success and failure."""

import json

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.base import ContentFile

from catalogue.models import CatalogueImport, Offer

from ..accounts.factories import StaffFactory
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def row(n, **overrides):
    data = {
        "external_id": f"b-{n}",
        "title": f"Managed hosting {n}",
        "summary": "Hosting in UK data centres",
        "description": "",
        "category": "Cloud hosting",
        "supplier": {"name": "Host Ltd", "sme": True},
        "price": 100,
        "list_price": 120,
        "unit": "per unit",
    }
    data.update(overrides)
    return json.dumps(data)


def test_import_pages_have_no_axe_violations(page, live_server, tmp_path):
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    sign_in(page, live_server, staff)

    page.goto("/staff/")
    click_and_wait(page, page.get_by_role("link", name="Import a catalogue file"))
    assert page.locator("h1").inner_text() == "Catalogue imports"
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Import a catalogue file"))
    assert_no_axe_violations(page)

    # No file: the error summary links to the file field.
    click_and_wait(page, page.get_by_role("button", name="Upload and import"))
    assert "Select a catalogue file" in page.locator(".govuk-error-summary").inner_text()
    assert_no_axe_violations(page)

    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(row(n) for n in range(3)) + "\n")
    page.get_by_label("Catalogue file").set_input_files(str(good))
    click_and_wait(page, page.get_by_role("button", name="Upload and import"))
    assert "Catalogue imported" in page.content()
    assert "3 offers: 3 created, 0 updated, from 1 supplier" in page.content()
    assert Offer.objects.buyable().count() == 3
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/h4/import_succeeded.png", full_page=True)

    page.goto("/staff/imports/new/")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(row(1) + "\n" + row(2, price="lots") + "\n" + row(3, unit="per hour") + "\n")
    page.get_by_label("Catalogue file").set_input_files(str(bad))
    click_and_wait(page, page.get_by_role("button", name="Upload and import"))
    assert "Nothing was imported" in page.content()
    assert "line 2: price: must be a number of pounds" in page.content()
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/h4/import_failed.png", full_page=True)

    # An import still running (the page refreshes itself unless that is turned off).
    running = CatalogueImport(
        uploaded_by=staff,
        original_name="big.jsonl",
        status="running",
        rows_total=9454,
        rows_done=3500,
    )
    running.file.save("big.jsonl", ContentFile(b"{}\n"), save=False)
    running.save()
    page.goto(f"/staff/imports/{running.pk}/?refresh=off")
    assert page.locator("progress").get_attribute("value") == "3500"
    assert "3,500 of 9,454 rows" in page.content()
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/h4/import_running.png", full_page=True)

    page.goto("/staff/imports/")
    assert page.locator("tbody tr").count() == 3
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/h4/import_list.png", full_page=True)
    page.goto("/staff/imports/new/")
    page.screenshot(path="/tmp/h4/import_form.png", full_page=True)
