"""Staff upload a catalogue file; a Celery task imports it, with progress and errors."""

import json
from unittest import mock

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from catalogue.models import CatalogueImport, Offer, OfferRevision
from ndx.accounts.models import Organisation
from ndx.audit.models import AuditEntry
from suppliers.importing import running as importing
from suppliers.tasks import import_catalogue_file
from tests.accounts.factories import (
    BuyerOrganisationFactory,
    StaffFactory,
    SupplierOrganisationFactory,
    member,
)
from tests.catalogue.factories import FrameworkFactory, LotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jsonl(*rows) -> bytes:
    return ("\n".join(json.dumps(r) for r in rows) + "\n").encode()


def row(n, **overrides):
    data = {
        "external_id": f"up-{n}",
        "title": f"Hosting {n}",
        "summary": "Managed hosting",
        "description": "",
        "category": "Cloud hosting",
        "supplier": {"name": f"Host {n % 2} Ltd", "sme": True},
    }
    data.update(overrides)
    return data


def upload(content: bytes, name="catalogue.jsonl"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def names(response):
    return [t.name for t in response.templates]


@pytest.fixture
def staff(client):
    user = StaffFactory()
    TOTP.activate(user, "JBSWY3DPEHPK3PXPTESTSECR")  # staff pages need two-factor set up
    client.force_login(user)
    return user


def test_only_staff_can_use_the_import_pages(client):
    urls = ["/staff/imports/", "/staff/imports/new/"]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    for user in (member(BuyerOrganisationFactory()), member(SupplierOrganisationFactory())):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
        response = client.post("/staff/imports/new/", {"file": upload(jsonl(row(1)))})
        assert response.status_code == 403
    assert not CatalogueImport.objects.exists()


def test_upload_is_imported_by_the_task(client, staff, django_capture_on_commit_callbacks):
    response = client.get("/staff/imports/new/")
    assert response.status_code == 200
    assert "suppliers/imports/form.html" in names(response)
    assert 'enctype="multipart/form-data"' in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/staff/imports/new/", {"file": upload(jsonl(row(1), row(2), row(3)))}
        )
    assert callbacks  # the import is queued only once the upload is committed
    record = CatalogueImport.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/imports/{record.pk}/"
    assert record.uploaded_by == staff
    assert record.status == "succeeded"
    assert (record.rows_total, record.rows_done) == (3, 3)
    assert (record.created, record.updated, record.suppliers) == (3, 0, 2)
    assert record.finished_at is not None and record.errors == []
    assert Offer.objects.buyable().count() == 3
    entry = AuditEntry.objects.get(action="catalogue.imported")
    assert entry.actor == staff and entry.object_id == str(record.pk)
    assert entry.detail["created"] == 3

    page = client.get(response.url)
    assert "suppliers/imports/detail.html" in names(page)
    content = page.content.decode()
    assert "Catalogue imported" in content
    assert "3 offers: 3 created, 0 updated, from 2 suppliers" in content
    assert 'http-equiv="refresh"' not in content

    listing = client.get("/staff/imports/")
    assert "suppliers/imports/list.html" in names(listing)
    assert "catalogue.jsonl" in listing.content.decode()
    assert "3 created, 0 updated, from 2 suppliers" in listing.content.decode()


def test_upload_into_a_framework_lot(client, staff, django_capture_on_commit_callbacks):
    framework = FrameworkFactory(reference="RM1557.14")
    LotFactory(framework=framework, slug="cloud-hosting")
    lot = LotFactory(framework=framework, slug="cloud-support")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/imports/new/",
            {"file": upload(jsonl(row(1))), "framework": "RM1557.14", "lot_slug": "cloud-support"},
        )
    assert response.status_code == 302
    assert CatalogueImport.objects.get().status == "succeeded"
    assert Offer.objects.get().lot == lot


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select a catalogue file"),
        ({"file": upload(b"x", name="catalogue.xlsx")}, "must be a .jsonl, .json or .csv"),
        ({"file": upload(b"", name="catalogue.csv")}, "The selected file is empty"),
        (
            {"file": upload(jsonl(row(1))), "lot_slug": "cloud"},
            "Choose a framework to choose one of its lots",
        ),
    ],
)
def test_upload_form_errors(client, staff, data, message):
    response = client.post("/staff/imports/new/", data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content and message in content
    assert not CatalogueImport.objects.exists()


def test_upload_into_a_framework_with_several_lots_needs_a_lot(client, staff):
    framework = FrameworkFactory(reference="RM1557.14")
    LotFactory(framework=framework, slug="cloud-hosting")
    LotFactory(framework=framework, slug="cloud-support")
    response = client.post(
        "/staff/imports/new/", {"file": upload(jsonl(row(1))), "framework": "RM1557.14"}
    )
    assert "choose one of cloud-hosting, cloud-support" in response.content.decode()
    assert not CatalogueImport.objects.exists()


def test_oversized_upload_is_refused(staff):
    big = upload(b"x")
    big.size = importing.MAX_UPLOAD_BYTES + 1
    with pytest.raises(importing.ValidationError) as exc:
        importing.catalogue_import_create(actor=staff, upload=big)
    assert exc.value.message_dict == {"file": ["The selected file must be smaller than 50MB"]}


def test_a_bad_file_fails_with_its_errors_and_writes_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    content = jsonl(row(1), row(2, price="free"), row(3, title=""))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/imports/new/", {"file": upload(content)})
    record = CatalogueImport.objects.get()
    assert record.status == "failed" and record.finished_at is not None
    assert record.errors == [
        "line 2: price: must be a number of pounds, like 12.50",
        "line 3: title: is missing",
    ]
    assert record.rows_done == record.rows_total == 3
    assert not Offer.objects.exists() and not OfferRevision.objects.exists()
    assert not Organisation.objects.filter(kind="supplier").exists()
    assert not AuditEntry.objects.filter(action="catalogue.imported").exists()
    page = client.get(response.url).content.decode()
    assert "Nothing was imported" in page
    assert "line 2: price: must be a number of pounds, like 12.50" in page


def queued(staff, content=None, **kwargs) -> CatalogueImport:
    record = CatalogueImport(uploaded_by=staff, original_name="catalogue.jsonl", **kwargs)
    record.file.save("catalogue.jsonl", upload(content or jsonl(row(1), row(2))), save=False)
    record.save()
    return record


def test_in_progress_page_refreshes_itself_until_it_is_turned_off(client, staff):
    record = queued(staff)
    content = client.get(f"/staff/imports/{record.pk}/").content.decode()
    assert 'data-ndx-auto-refresh="2"' in content and "http-equiv" not in content
    assert "Waiting to start" in content and "0 of 0 rows" in content
    assert "Stop updating this page" in content
    content = client.get(f"/staff/imports/{record.pk}/?refresh=off").content.decode()
    assert "data-ndx-auto-refresh" not in content
    CatalogueImport.objects.filter(pk=record.pk).update(
        status="running", rows_done=500, rows_total=2000
    )
    content = client.get(f"/staff/imports/{record.pk}/").content.decode()
    assert '<progress class="ndx-progress" id="import-progress" max="2000" value="500">' in content
    assert "500 of 2,000 rows" in content and "Checking rows" in content


def test_task_is_idempotent(staff):
    record = queued(staff)
    assert import_catalogue_file.delay(record.pk).get() == "succeeded"
    audits = AuditEntry.objects.filter(action="catalogue.imported").count()
    with mock.patch.object(importing, "catalogue_import_run") as run:
        assert import_catalogue_file.delay(record.pk).get() == "succeeded"
    run.assert_not_called()
    assert AuditEntry.objects.filter(action="catalogue.imported").count() == audits
    assert Offer.objects.count() == 2


def test_task_reports_progress_while_checking(staff):
    record = queued(staff, content=jsonl(*[row(n) for n in range(1200)]))
    seen = []
    real_update = importing.CatalogueImport.objects.filter

    def progress_spy(done, total):
        seen.append((done, total))

    original = importing.catalogue_import_validate

    def validate(**kwargs):
        inner = kwargs["progress"]

        def both(done, total):
            inner(done, total)
            progress_spy(done, total)
            assert real_update(pk=record.pk).get().rows_done == done

        return original(**{**kwargs, "progress": both})

    with mock.patch.object(importing, "catalogue_import_validate", validate):
        import_catalogue_file.delay(record.pk)
    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)]
    record.refresh_from_db()
    assert record.status == "succeeded" and record.created == 1200


def test_unexpected_errors_mark_the_import_failed_and_are_raised(staff):
    record = queued(staff)
    with mock.patch.object(importing, "write_plan", side_effect=RuntimeError("disk on fire")):
        with pytest.raises(RuntimeError):
            import_catalogue_file.delay(record.pk)
    record.refresh_from_db()
    assert record.status == "failed"
    assert record.errors == ["Unexpected error: RuntimeError: disk on fire"]
    assert not Offer.objects.exists()


def test_transient_database_errors_are_retried(staff):
    record = queued(staff)
    real = importing.catalogue_import_process
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    with mock.patch("suppliers.tasks.catalogue_import_process", flaky):
        import_catalogue_file.apply(args=[record.pk], throw=False)
    assert len(calls) == 2
    record.refresh_from_db()
    assert record.status == "succeeded"


def test_transient_errors_fail_the_import_once_retries_run_out(staff):
    record = queued(staff)
    with mock.patch(
        "suppliers.tasks.catalogue_import_process",
        side_effect=OperationalError("database is locked"),
    ):
        # As on a worker's last attempt (eager mode runs retries nested, so start there).
        result = import_catalogue_file.apply(
            args=[record.pk], retries=import_catalogue_file.max_retries, throw=False
        )
    assert result.failed() and isinstance(result.result, OperationalError)
    record.refresh_from_db()
    assert record.status == "failed"
    assert record.errors == ["Database error: database is locked"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_by_a_worker_through_redis(requires_redis):
    import time

    from celery.contrib.testing.worker import start_worker

    from ndx.celery import app as celery_app

    record = queued(StaffFactory(), content=jsonl(*[row(n) for n in range(50)]))
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        import_catalogue_file.delay(record.pk)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            record.refresh_from_db()
            if record.status in ("succeeded", "failed"):
                break
            time.sleep(0.1)
    assert record.status == "succeeded", record.errors
    assert (record.created, record.suppliers) == (50, 2)
    assert Offer.objects.buyable().count() == 50


def test_the_task_is_queued_only_after_the_upload_commits(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/staff/imports/new/", {"file": upload(jsonl(row(1)))})
    record = CatalogueImport.objects.get()
    assert record.status == "queued" and len(callbacks) == 1
    assert AuditEntry.objects.filter(action="catalogue.import_queued", actor=staff).exists()
    page = client.get(response.url).content.decode()
    assert 'data-ndx-auto-refresh="2"' in page
    callbacks[0]()
    record.refresh_from_db()
    assert record.status == "succeeded"
    assert 'http-equiv="refresh"' not in client.get(response.url).content.decode()


def test_an_ended_import_keeps_its_report_but_not_its_file(staff, settings):
    from pathlib import Path

    done = queued(staff)
    path = Path(done.file.path)
    assert path.exists()
    assert import_catalogue_file.delay(done.pk).get() == "succeeded"
    done.refresh_from_db()
    assert not path.exists() and not done.file
    assert done.created == 2  # the report stays

    bad = queued(staff, content=b'{"not": "a catalogue row"}\n')
    bad_path = Path(bad.file.path)
    assert import_catalogue_file.delay(bad.pk).get() == "failed"
    bad.refresh_from_db()
    assert not bad_path.exists() and not bad.file
    assert bad.errors  # what went wrong is kept
    assert not list(Path(settings.MEDIA_ROOT, "catalogue-imports").glob("*"))
