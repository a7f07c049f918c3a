"""manage.py backup_data / restore_data: the demo data survives a round trip into an empty
database, and bad archives or a non-empty database are refused without changing anything."""

import io
import json
import shutil
import tarfile

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils.html import escape

from catalogue.models import Offer, OfferDocument, OfferRevision
from catalogue.services.offers import offer_document_add
from matching import runtime
from matching.models import IndexBuild
from ndx.accounts.models import User
from ndx.audit.models import AuditEntry
from ndx.backup import model_counts
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n% a document that must survive a backup\n%%EOF\n"


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    runtime.reset()
    yield
    runtime.reset()
    ContentType.objects.clear_cache()  # ids changed under the cache in the round trip


def _empty_the_database(settings):
    """Stand-in for a fresh database: every table emptied, uploaded files and index files
    gone, and content types recreated with different ids (as another database would have)."""
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.all().delete()
    ContentType.objects.clear_cache()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    shutil.rmtree(settings.MATCHING_INDEX_DIR, ignore_errors=True)
    runtime.reset()


def test_demo_data_round_trip(settings, tmp_path, client):
    call_command("seed_demo", stdout=io.StringIO())
    supplier = User.objects.get(email="supplier.admin@northwind-digital.co.uk")
    offer = Offer.objects.buyable().filter(supplier=supplier.organisation).first()
    document = offer_document_add(
        actor=supplier, offer=offer, title="Service definition", name="sd.pdf", content=PDF
    )
    viewer = User.objects.get(email="buyer@leeds.gov.uk")
    viewer.user_permissions.add(Permission.objects.get(codename="view_offer"))
    before = model_counts()
    audit = list(AuditEntry.objects.order_by("pk").values_list("pk", "action", "created_at"))
    published = list(
        Offer.objects.buyable().order_by("pk").values_list("pk", "published_revision__title")
    )
    assert before["catalogue.offer"] > 300 and before["audit.auditentry"] > 0
    archive = tmp_path / "backup.tar.gz"

    out = io.StringIO()
    call_command("backup_data", str(archive), stdout=out)
    assert "Backup written" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"manifest.json", "data.jsonl"} <= set(names)
    assert f"media/{document.file.name}" in names
    assert manifest["counts"] == before and manifest["media_files"] == 1
    assert "contenttypes.contenttype" not in manifest["counts"]
    assert "sessions.session" not in manifest["counts"]

    _empty_the_database(settings)
    assert not User.objects.exists() and not AuditEntry.objects.exists()

    out = io.StringIO()
    call_command("restore_data", str(archive), stdout=out)
    assert "Restored the backup" in out.getvalue()

    after = model_counts()
    for label, count in before.items():
        if label == "matching.indexbuild":
            assert after[label] == count + 1, label  # restore builds a fresh matching index
        else:
            assert after[label] == count, label
    for label in ("catalogue.offer", "catalogue.offerrevision", "accounts.user"):
        assert after[label] == before[label]
    # Audit entries come back as they were, timestamps included (and stay append-only).
    assert (
        list(AuditEntry.objects.order_by("pk").values_list("pk", "action", "created_at")) == audit
    )
    assert (
        list(Offer.objects.buyable().order_by("pk").values_list("pk", "published_revision__title"))
        == published
    )
    assert OfferRevision.objects.filter(status="published").exclude(search_text="").exists()
    # Natural keys: the permission is found again although content type ids changed.
    assert User.objects.get(email="buyer@leeds.gov.uk").has_perm("catalogue.view_offer")
    # Uploaded files are back, byte for byte.
    restored = OfferDocument.objects.get(pk=document.pk)
    assert (settings.MEDIA_ROOT / restored.file.name).read_bytes() == PDF
    # The matching index was rebuilt and is current.
    current = IndexBuild.objects.current().get()
    assert current.offers_indexed == len(published)

    # The site works: a published offer page renders, search finds offers, people sign in.
    pk, title = published[0]
    response = client.get(f"/catalogue/offers/{pk}/")
    assert response.status_code == 200
    assert "catalogue/offers/detail.html" in [t.name for t in response.templates]
    assert escape(title) in response.content.decode()
    word = title.split()[-1]
    response = client.get("/catalogue/", {"q": word})
    assert response.status_code == 200 and "No offers match" not in response.content.decode()
    assert client.login(email="buyer.admin@leeds.gov.uk", password="ndx-demo-password")
    requirement = (
        User.objects.get(email="buyer.admin@leeds.gov.uk")
        .organisation.requirements.filter(status="submitted")
        .first()
    )
    if requirement is not None:
        response = client.post(f"/buying/requirements/{requirement.pk}/matches/rerun/")
        assert response.status_code == 302
        assert requirement.match_runs.first().index_build_id == current.pk
    # New rows get new ids (sequences were moved past the restored ones).
    entry = AuditEntry.objects.create(action="test.after_restore")
    assert entry.pk > max(pk for pk, _a, _c in audit)


def test_restore_refuses_a_database_with_data(tmp_path):
    UserFactory()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_data", str(archive), stdout=io.StringIO())
    before = model_counts()
    with pytest.raises(CommandError, match="already has data .*Restore into an empty database"):
        call_command("restore_data", str(archive), stdout=io.StringIO())
    assert model_counts() == before


def test_backup_does_not_overwrite_without_force(tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_data", str(archive), stdout=io.StringIO())
    assert archive.read_bytes() == b"keep me"
    call_command("backup_data", str(archive), "--force", stdout=io.StringIO())
    assert tarfile.is_tarfile(archive)


def _archive(path, manifest: dict | None, extra: dict[str, bytes] | None = None):
    with tarfile.open(path, "w:gz") as tar:
        files = dict(extra or {})
        if manifest is not None:
            files["manifest.json"] = json.dumps(manifest).encode()
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.parametrize(
    "manifest, message",
    [
        (None, "not an NDX backup: it has no manifest"),
        ({"format": "something-else"}, "not an NDX backup"),
        ({"format": "ndx-backup", "version": 99}, "format version 99"),
        (
            {"format": "ndx-backup", "version": 1, "migrations": {"catalogue": ["9999_future"]}},
            "newer version of NDX .*catalogue.9999_future",
        ),
    ],
)
def test_restore_refuses_what_is_not_a_usable_backup(tmp_path, manifest, message):
    archive = _archive(tmp_path / "bad.tar.gz", manifest, {"data.jsonl": b""})
    with pytest.raises(CommandError, match=message):
        call_command("restore_data", str(archive), stdout=io.StringIO())
    assert not User.objects.exists()


def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore_data", str(bogus), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore_data", str(tmp_path / "missing.tar.gz"), stdout=io.StringIO())


def test_restore_skips_media_names_outside_media_root(settings, tmp_path):
    UserFactory(email="kept@example.com")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_data", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    contents["media/../../escaped.txt"] = b"bad"
    contents["media/docs/ok.txt"] = b"good"
    manifest = json.loads(contents.pop("manifest.json"))
    tampered = _archive(tmp_path / "tampered.tar.gz", manifest, contents)
    call_command("flush", interactive=False, verbosity=0)
    out = io.StringIO()
    call_command("restore_data", str(tampered), "--no-reindex", stdout=out)
    assert "Skipped unsafe file name" in out.getvalue()
    assert (settings.MEDIA_ROOT / "docs" / "ok.txt").read_bytes() == b"good"
    assert not (tmp_path / "escaped.txt").exists()
    assert not (settings.MEDIA_ROOT.parent.parent / "escaped.txt").exists()
    assert User.objects.filter(email="kept@example.com").exists()


def _relabel_archive(source, target, renames: dict[str, str]) -> None:
    """Rewrite an archive as a version of NDX before some models moved app would have written
    it: the rows' model labels, audit entries' object types and the manifest's counts."""
    with tarfile.open(source) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        rows = [json.loads(line) for line in tar.extractfile("data.jsonl").read().splitlines()]
        media = [(m, tar.extractfile(m).read()) for m in tar.getmembers() if m.isfile()]
    for row in rows:
        row["model"] = renames.get(row["model"], row["model"])
        fields = row["fields"]
        if row["model"] == "audit.auditentry" and fields.get("object_type") in renames:
            fields["object_type"] = renames[fields["object_type"]]
    manifest["counts"] = {renames.get(k, k): v for k, v in manifest["counts"].items()}
    files = {
        "manifest.json": json.dumps(manifest).encode(),
        "data.jsonl": "\n".join(json.dumps(r) for r in rows).encode() + b"\n",
    }
    with tarfile.open(target, "w:gz") as out:
        for member, content in media:
            content = files.get(member.name, content)
            member.size = len(content)
            out.addfile(member, io.BytesIO(content))


def test_a_backup_made_before_contracts_moved_app_restores(settings, tmp_path):
    from contracts.models import Contract

    call_command("seed_demo", stdout=io.StringIO())
    contracts = list(Contract.objects.order_by("pk").values_list("pk", "reference", "value"))
    history = {
        c.pk: list(AuditEntry.objects.for_object(c).values_list("pk", flat=True))
        for c in Contract.objects.all()
    }
    assert contracts and all(history.values())
    archive, old = tmp_path / "backup.tar.gz", tmp_path / "old.tar.gz"
    call_command("backup_data", str(archive), stdout=io.StringIO())
    _relabel_archive(archive, old, {"contracts.contract": "buying.contract"})
    with tarfile.open(old) as tar:
        data = tar.extractfile("data.jsonl").read().decode()
    assert '"buying.contract"' in data and '"contracts.contract"' not in data

    _empty_the_database(settings)
    out = io.StringIO()
    call_command("restore_data", str(old), stdout=out)
    assert "moved app since the backup" in out.getvalue()
    assert list(Contract.objects.order_by("pk").values_list("pk", "reference", "value")) == (
        contracts
    )
    for contract in Contract.objects.all():
        entries = list(AuditEntry.objects.for_object(contract).values_list("pk", flat=True))
        assert entries == history[contract.pk]
