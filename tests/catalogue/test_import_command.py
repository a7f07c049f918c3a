"""The import_catalogue command: formats, upserts, validation that writes nothing, targets."""

import json
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogue.models import Framework, FrameworkMembership, Lot, Offer, OfferRevision
from ndx.accounts.models import Organisation
from ndx.audit.models import AuditEntry
from suppliers.importing.formats import IMPORT_MARKET_REFERENCE
from suppliers.models import LotApplication, SupplierProfile
from tests.accounts.factories import SupplierOrganisationFactory
from tests.catalogue.factories import FrameworkFactory, LotFactory, make_offer
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db


def offer_row(n, **overrides):
    row = {
        "external_id": f"acme-{n}",
        "title": f"Case management {n}",
        "summary": "Cloud case management built for councils.",
        "description": "Record assessments and plan care.",
        "category": "Customer relationship management (CRM)",
        "supplier": {"name": "Acme Software Ltd", "sme": True},
        "price": 12.5,
        "list_price": 15,
        "unit": "per user per month",
        "cpv": ["72000000", "48000000-8"],
        "features": ["Assessments", "Care plans"],
    }
    row.update(overrides)
    return row


def write_jsonl(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def run(path, *args):
    out, err = _Capture(), _Capture()
    call_command("import_catalogue", str(path), *args, stdout=out, stderr=err)
    return out.text, err.text


class _Capture:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    @property
    def text(self):
        return "".join(self.parts)


def snapshot():
    """Everything an import writes, to compare before and after."""
    return {
        "organisations": list(Organisation.objects.order_by("pk").values_list("pk", "name")),
        "profiles": list(SupplierProfile.objects.order_by("pk").values_list("pk", "is_sme")),
        "frameworks": Framework.objects.count(),
        "lots": Lot.objects.count(),
        "memberships": list(FrameworkMembership.objects.order_by("pk").values_list("pk", "status")),
        "applications": list(LotApplication.objects.order_by("pk").values_list("pk", "status")),
        "offers": list(
            Offer.objects.order_by("pk").values_list("pk", "status", "published_revision_id")
        ),
        "revisions": list(
            OfferRevision.objects.order_by("pk").values_list("pk", "status", "title", "price")
        ),
    }


def test_jsonl_import_creates_suppliers_and_published_offers_in_the_import_market(tmp_path):
    path = write_jsonl(
        tmp_path / "catalogue.jsonl",
        [
            offer_row(1),
            offer_row(2, price=None, list_price=None, unit=None, cpv=None, features=None),
            offer_row(
                3,
                supplier={"name": "Borough Digital LLP", "sme": None},
                description="",
                unit="fixed",
            ),
            offer_row(4, supplier={"name": "ACME SOFTWARE LTD", "sme": True}),
        ],
    )
    out, err = run(path)
    assert out.strip() == "imported 4 offers (4 created, 0 updated) from 2 suppliers"
    assert err == ""

    market = Framework.objects.get(reference=IMPORT_MARKET_REFERENCE)
    assert market.name == "Imported catalogue"
    assert market.kind == Framework.Kind.DYNAMIC_MARKET and market.is_live
    assert market.approved_at is not None
    lot = market.lots.get()
    assert (lot.slug, lot.name, lot.direct_award_allowed) == ("imported", "Imported offers", True)
    assert Offer.objects.buyable().count() == 4

    acme = Organisation.objects.get(name="Acme Software Ltd", kind="supplier")
    assert acme.supplier_profile.is_sme is True
    assert Organisation.objects.get(name="Borough Digital LLP").supplier_profile.is_sme is None
    assert LotApplication.objects.filter(supplier=acme, lot=lot, status="approved").count() == 1
    assert FrameworkMembership.objects.get(supplier=acme, framework=market).status == "active"

    offer = Offer.objects.get(external_id="acme-1")
    assert offer.supplier == acme and offer.status == "published"
    revision = offer.published_revision
    assert (revision.number, revision.status) == (1, "published")
    assert revision.published_at is not None and offer.first_published_at is not None
    assert revision.categories == ["Customer relationship management (CRM)"]
    assert revision.price == Decimal("12.50") and revision.list_price == Decimal("15.00")
    assert revision.pricing_model == "per_user_month"
    assert revision.cpv_codes == ["72000000", "48000000-8"]
    assert revision.features == ["Assessments", "Care plans"]
    assert revision.search_text.startswith("case management 1")
    assert Offer.objects.get(external_id="acme-2").published_revision.price is None
    assert Offer.objects.get(external_id="acme-3").published_revision.pricing_model == "fixed"
    assert Offer.objects.get(external_id="acme-4").supplier == acme

    audit = AuditEntry.objects.filter(action="catalogue.imported")
    assert audit.count() == 1
    assert audit.get().actor is None
    assert audit.get().detail | {} == {
        "file": "catalogue.jsonl",
        "framework": "NDX-IMPORT",
        "lot": "imported",
        "rows": 4,
        "created": 4,
        "updated": 0,
        "suppliers": 2,
    }
    assert AuditEntry.objects.filter(action="framework.created").count() == 1


def test_csv_import_with_either_header_spelling(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "external_id,title,summary,description,category,supplier.name,supplier.sme,"
        "price,list_price,unit,cpv,features\n"
        'csv-1,Payroll,Payroll for schools,"Runs payroll, pensions and tax",HR,'
        "Pay Co Ltd,yes,3.00,4.50,per_user_month,72000000|48000000,Payslips|Pensions\n"
        "csv-2,Recruitment,Hire staff,,HR,Pay Co Ltd,,,,,72000000,\n"
        "csv-3,Training days,On-site training,,Training,Learn Ltd,no,650,800,per day,,"
        "Classroom;Online\n"
    )
    out, _ = run(path)
    assert out.strip() == "imported 3 offers (3 created, 0 updated) from 2 suppliers"
    first = Offer.objects.get(external_id="csv-1").published_revision
    assert first.description == "Runs payroll, pensions and tax"
    assert first.cpv_codes == ["72000000", "48000000"]
    assert first.features == ["Payslips", "Pensions"]
    assert first.price == Decimal("3.00")
    third = Offer.objects.get(external_id="csv-3").published_revision
    assert third.pricing_model == "per_day" and third.features == ["Classroom", "Online"]
    assert Organisation.objects.get(name="Pay Co Ltd").supplier_profile.is_sme is True
    assert Organisation.objects.get(name="Learn Ltd").supplier_profile.is_sme is False

    path2 = tmp_path / "plain.csv"
    path2.write_text("external_id,title,supplier_name,supplier_sme\ncsv-4,Hosting,Host Ltd,true\n")
    assert run(path2)[0].strip() == "imported 1 offers (1 created, 0 updated) from 1 suppliers"


def test_json_array_file(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps([offer_row(1), offer_row(2)], indent=2))
    assert run(path)[0].strip() == "imported 2 offers (2 created, 0 updated) from 1 suppliers"
    path.write_text(json.dumps([offer_row(1), offer_row(2, price="lots")], indent=2))
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), stderr=_Capture())
    # The error names the line the bad offer starts on.
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), stderr=err)
    start = path.read_text().splitlines().index("  {", 2) + 1
    assert f"line {start}: price: must be a number of pounds" in err.text


def test_running_twice_changes_nothing(tmp_path):
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [offer_row(n) for n in range(5)] + [offer_row(9, supplier={"name": "B Ltd", "sme": False})],
    )
    run(path)
    before = snapshot()
    out, _ = run(path)
    assert out.strip() == "imported 6 offers (0 created, 0 updated) from 2 suppliers"
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="catalogue.imported").count() == 2


def test_a_changed_row_gets_a_new_published_version_and_keeps_the_old_one(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1), offer_row(2), offer_row(3)])
    run(path)
    untouched = Offer.objects.get(external_id="acme-1").published_revision_id
    original = Offer.objects.get(external_id="acme-2").published_revision
    write_jsonl(
        path, [offer_row(1), offer_row(2, price=11, title="Case management plus"), offer_row(3)]
    )
    out, _ = run(path)
    assert out.strip() == "imported 3 offers (0 created, 1 updated) from 1 suppliers"
    offer = Offer.objects.get(external_id="acme-2")
    assert offer.status == "published"
    assert offer.published_revision.number == 2
    assert offer.published_revision.title == "Case management plus"
    assert offer.published_revision.price == Decimal("11.00")
    assert offer.published_revision.search_text.startswith("case management plus")
    original.refresh_from_db()
    assert original.status == "superseded" and original.title == "Case management 2"
    assert list(offer.revisions.order_by("number").values_list("number", "status")) == [
        (1, "superseded"),
        (2, "published"),
    ]
    assert Offer.objects.get(external_id="acme-1").published_revision_id == untouched
    assert OfferRevision.objects.count() == 4


def test_update_keeps_fields_the_file_does_not_set(tmp_path):
    lot = LotFactory(framework=FrameworkFactory(reference="RM9000"))
    supplier = approved_supplier(
        lot, organisation=SupplierOrganisationFactory(name="Acme Software Ltd")
    )
    offer = make_offer(supplier, lot, certifications=["iso-27001"], hosting_location="uk")
    offer.external_id = "acme-1"
    offer.save()
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1)])
    out, _ = run(path, "--framework", "RM9000")
    assert "(0 created, 1 updated)" in out
    offer.refresh_from_db()
    assert offer.published_revision.certifications == ["iso-27001"]
    assert offer.published_revision.hosting_location == "uk"
    assert offer.published_revision.title == "Case management 1"
    assert offer.published_revision.number == 2


def test_update_carries_documents_to_the_new_version(tmp_path):
    from catalogue.models import OfferDocument

    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1)])
    run(path)
    offer = Offer.objects.get()
    OfferDocument.objects.create(
        revision=offer.published_revision,
        title="Service definition",
        file="offer-documents/1/abc.pdf",
        original_name="service.pdf",
        size=10,
        sha256="a" * 64,
    )
    write_jsonl(path, [offer_row(1, price=10)])
    run(path)
    offer.refresh_from_db()
    assert list(offer.published_revision.documents.values_list("title", "sha256")) == [
        ("Service definition", "a" * 64)
    ]
    assert OfferDocument.objects.count() == 2


def test_a_withdrawn_offer_stays_withdrawn_when_its_content_is_updated(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1)])
    run(path)
    Offer.objects.filter(external_id="acme-1").update(status="withdrawn")
    write_jsonl(path, [offer_row(1, title="New title")])
    assert "(0 created, 1 updated)" in run(path)[0]
    offer = Offer.objects.get(external_id="acme-1")
    assert offer.status == "withdrawn" and offer.published_revision.title == "New title"


def test_one_bad_row_writes_nothing_and_names_every_bad_line(tmp_path):
    run(write_jsonl(tmp_path / "first.jsonl", [offer_row(100)]))
    before = snapshot()
    audit_before = AuditEntry.objects.count()
    rows = [
        offer_row(1),
        offer_row(2, price="twelve"),  # line 2
        "{not json",  # line 3
        offer_row(4, title=""),  # line 4
        offer_row(1),  # line 5: repeats line 1's id
        offer_row(6, unit="per fortnight"),  # line 6
        offer_row(7, cpv=["7200"]),  # line 7
        offer_row(8, supplier={"name": "Acme Software Ltd", "sme": "yes"}),  # line 8
        offer_row(9, price=20, list_price=10),  # line 9
        offer_row(10, features="Assessments"),  # line 10
        offer_row(11, price=1.234),  # line 11
        offer_row(12, colour="blue"),  # line 12
        offer_row(13, external_id="x" * 101),  # line 13
        offer_row(14, supplier={"sme": True}),  # line 14
        "[1, 2]",  # line 15
        offer_row(16, price=-5),  # line 16
        offer_row(17, title="t" * 201),  # line 17
        offer_row(18),
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    err = _Capture()
    with pytest.raises(CommandError, match="16 problems found; nothing was imported"):
        call_command("import_catalogue", str(path), stdout=_Capture(), stderr=err)
    lines = err.text.strip().splitlines()
    assert lines == [
        "line 2: price: must be a number of pounds, like 12.50",
        lines[1],
        "line 4: title: is missing",
        "line 5: external_id: acme-1 is also on line 1",
        "line 6: unit: must be one of per user per month, per licence, per unit, per day or "
        "fixed price",
        "line 7: cpv: must be 8-digit CPV codes, like 72000000 or 72000000-5 (7200 is not)",
        "line 8: supplier.sme: must be true, false or empty (null)",
        "line 9: price: must not be more than the list_price",
        "line 10: features: must be a list of text",
        "line 11: price: must have no more than 2 decimal places",
        "line 12: colour: is not a field of the catalogue format",
        "line 13: external_id: must be 100 characters or fewer",
        "line 14: supplier.name: is missing",
        "line 15: must be a JSON object with the offer's fields",
        "line 16: price: must be more than £0",
        "line 17: title: must be 200 characters or fewer",
    ]
    assert lines[1].startswith("line 3: is not valid JSON")
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before


def test_more_than_fifty_problems_are_capped(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [offer_row(n, title="") for n in range(60)])
    err = _Capture()
    with pytest.raises(CommandError, match="60 problems"):
        call_command("import_catalogue", str(path), stderr=err)
    lines = err.text.strip().splitlines()
    assert len(lines) == 51 and lines[-1] == "and 10 more"
    assert not Offer.objects.exists() and not Framework.objects.exists()


def test_an_external_id_of_another_supplier_is_an_error(tmp_path):
    run(write_jsonl(tmp_path / "a.jsonl", [offer_row(1)]))
    before = snapshot()
    path = write_jsonl(
        tmp_path / "b.jsonl",
        [offer_row(2), offer_row(1, supplier={"name": "Rival Ltd", "sme": True})],
    )
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), stderr=err)
    assert err.text.strip() == (
        "line 2: external_id: acme-1 is already an offer from Acme Software Ltd, "
        "a different supplier"
    )
    assert snapshot() == before


def test_csv_problems_are_named_by_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "external_id,title,supplier_name,supplier_sme,price\n"
        "a,One,Acme,maybe,1\n"
        "b,,Acme,yes,1\n"
        "c,Three,Acme,yes,1.5.0\n"
    )
    err = _Capture()
    with pytest.raises(CommandError, match="3 problems"):
        call_command("import_catalogue", str(path), stderr=err)
    assert err.text.strip().splitlines() == [
        "line 2: supplier.sme: must be true, false or empty (null)",
        "line 3: title: is missing",
        "line 4: price: must be a number of pounds, like 12.50",
    ]
    path.write_text("id,title\n1,x\n")
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), stderr=err)
    assert "line 1: unknown column id" in err.text
    assert "line 1: missing columns external_id, supplier_name" in err.text
    assert not Offer.objects.exists()


def test_file_level_problems(tmp_path):
    for name, content, message in [
        ("c.txt", "x", "must be a .jsonl, .json or .csv catalogue file"),
        ("c.jsonl", "\n\n", "The file has no offers in it"),
        ("c.jsonl", b"\xff\xfe", "line 1: the file must be UTF-8 text"),
    ]:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        err = _Capture()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_catalogue", str(path), stderr=err)
        assert message in err.text
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_catalogue", str(tmp_path / "missing.jsonl"))


def test_framework_and_lot_options(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1)])
    framework = FrameworkFactory(name="G-Cloud 14", reference="RM1557.14")
    LotFactory(framework=framework, slug="cloud-hosting", number=1)
    software = LotFactory(framework=framework, slug="cloud-software", number=2)

    for args, message in [
        (["--framework", "RM0000"], "--framework: There is no framework with reference RM0000"),
        (["--framework", "RM1557.14"], "has 2 lots: choose one of cloud-hosting, cloud-software"),
        (
            ["--framework", "RM1557.14", "--lot", "nope"],
            "--lot: G-Cloud 14 (RM1557.14) has no lot nope",
        ),
        (["--lot", "cloud-software"], "--lot: Choose a framework to choose one of its lots"),
    ]:
        err = _Capture()
        with pytest.raises(CommandError):
            call_command("import_catalogue", str(path), *args, stderr=err)
        assert message in err.text
    assert not Offer.objects.exists() and not Organisation.objects.exists()

    out, _ = run(path, "--framework", "rm1557.14", "--lot", "cloud-software")
    assert out.strip() == "imported 1 offers (1 created, 0 updated) from 1 suppliers"
    offer = Offer.objects.get()
    assert offer.lot == software
    assert not Framework.objects.filter(reference=IMPORT_MARKET_REFERENCE).exists()
    assert LotApplication.objects.get(supplier=offer.supplier).lot == software
    assert FrameworkMembership.objects.get(supplier=offer.supplier).framework == framework
    assert Offer.objects.buyable().count() == 1

    # Importing the same id without --framework would move it to another market: refused.
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), stderr=err)
    assert "line 1: external_id: acme-1 is already an offer in" in err.text


def test_a_framework_with_one_lot_needs_no_lot_option_and_lot_categories_apply(tmp_path):
    framework = FrameworkFactory(reference="RM6098")
    LotFactory(framework=framework, categories=["Hardware", "Software"])
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1, category="Software"), offer_row(2)])
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), "--framework", "RM6098", stderr=err)
    assert err.text.strip().startswith("line 2: category: choose categories from this lot's list")
    write_jsonl(path, [offer_row(1, category="Software")])
    assert "(1 created" in run(path, "--framework", "RM6098")[0]


def test_closed_framework_and_suspended_supplier_are_refused(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1)])
    closed = FrameworkFactory(reference="RM1111", status="closed")
    LotFactory(framework=closed)
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), "--framework", "RM1111", stderr=err)
    assert "has ended, so offers cannot be imported into it" in err.text

    lot = LotFactory(framework=FrameworkFactory(reference="RM2222"))
    supplier = approved_supplier(
        lot, organisation=SupplierOrganisationFactory(name="Acme Software Ltd")
    )
    FrameworkMembership.objects.filter(supplier=supplier).update(status="suspended")
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), "--framework", "RM2222", stderr=err)
    assert "line 1: supplier.name: Acme Software Ltd is suspended on" in err.text
    assert not Offer.objects.exists()


def test_a_waiting_application_is_approved_and_sme_conflicts_are_errors(tmp_path):
    lot = LotFactory(framework=FrameworkFactory(reference="RM3333"))
    organisation = SupplierOrganisationFactory(name="Acme Software Ltd")
    LotApplication.objects.create(supplier=organisation, lot=lot)
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1)])
    run(path, "--framework", "RM3333")
    assert LotApplication.objects.get(supplier=organisation).status == "approved"
    assert Organisation.objects.filter(kind="supplier").count() == 1

    write_jsonl(
        path, [offer_row(2), offer_row(3, supplier={"name": "acme software ltd", "sme": False})]
    )
    err = _Capture()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), "--framework", "RM3333", stderr=err)
    assert "line 2: supplier.sme: acme software ltd is an SME on line 1" in err.text


def test_long_summaries_are_shortened_at_a_word(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1, summary="word " * 150)])
    run(path)
    summary = Offer.objects.get().published_revision.summary
    assert len(summary) <= 500 and summary.endswith("word…")
    assert "(0 created, 0 updated)" in run(path)[0]


def test_ten_thousand_offers(tmp_path):
    rows = [
        offer_row(
            n,
            supplier={"name": f"Supplier {n % 97} Ltd", "sme": n % 97 < 60},
            price=float(n % 50 + 1),
            list_price=float(n % 50 + 10),
        )
        for n in range(10_000)
    ]
    path = write_jsonl(tmp_path / "big.jsonl", rows)
    started = time.perf_counter()
    out, _ = run(path)
    took = time.perf_counter() - started
    print(f"\n10,000 offers imported in {took:.1f}s")
    assert out.strip() == "imported 10000 offers (10000 created, 0 updated) from 97 suppliers"
    assert Offer.objects.buyable().count() == 10_000
    started = time.perf_counter()
    out, _ = run(path)
    print(f"10,000 offers re-checked (nothing to change) in {time.perf_counter() - started:.1f}s")
    assert out.strip() == "imported 10000 offers (0 created, 0 updated) from 97 suppliers"


def test_matching_records_new_and_changed_offers_once_the_import_commits(
    tmp_path, django_capture_on_commit_callbacks
):
    from matching.models import IndexChange

    path = write_jsonl(tmp_path / "c.jsonl", [offer_row(1), offer_row(2)])
    with django_capture_on_commit_callbacks(execute=True):
        run(path)
    assert IndexChange.objects.count() == 2
    write_jsonl(path, [offer_row(1), offer_row(2, title="Changed")])
    with django_capture_on_commit_callbacks(execute=True):
        run(path)
    change = IndexChange.objects.order_by("-pk").first()
    assert IndexChange.objects.count() == 3
    assert change.offer_id == Offer.objects.get(external_id="acme-2").pk
    assert change.document["title"] == "Changed"
    with django_capture_on_commit_callbacks(execute=True):
        run(path)
    assert IndexChange.objects.count() == 3
