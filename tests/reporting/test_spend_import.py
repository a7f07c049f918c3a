"""import_spend: loads spend returns, matches and creates organisations, is idempotent, keeps
credit notes and repeated rows, and rejects bad rows naming the line."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from ndx.accounts.models import Organisation
from ndx.audit.models import AuditEntry
from reporting.models import SpendRecord
from reporting.services import spend_import
from tests.accounts.factories import BuyerOrganisationFactory, SupplierOrganisationFactory

from .helpers import spend_csv, write

pytestmark = pytest.mark.django_db

SAAS = "Software as a Service (SaaS)"
ROWS = [
    f"{SAAS},01/10/2012,1200.50,Central Government,SME,,FLYINGBINARY LTD,Home Office",
    f"{SAAS},01/11/2012,-200,Central Government,SME,,FLYINGBINARY LTD,Home Office",
    "Specialist Cloud Services,15/03/2013,5000,Health,Large,,Big Co PLC,Leeds NHS Trust",
    "Specialist Cloud Services,01/04/2013,750.1234,Police,Large,,Big Co PLC,West Police",
]


def run(path, capsys):
    call_command("import_spend", str(path))
    captured = capsys.readouterr()
    return captured.out.strip().splitlines(), captured.err.strip().splitlines()


def test_loads_rows_and_creates_missing_organisations(tmp_path, capsys):
    out, err = run(write(tmp_path, spend_csv(*ROWS)), capsys)
    assert out == [
        "read 4 rows: 4 loaded, 0 already loaded, 0 rejected",
        "loaded £6,750.62 (1 credit notes); created 2 suppliers and 3 buyers",
    ]
    assert err == []
    records = list(SpendRecord.objects.order_by("line"))
    assert [r.line for r in records] == [2, 3, 4, 5]
    first = records[0]
    assert first.lot_name == SAAS
    assert str(first.month) == "2012-10-01"
    assert first.amount == Decimal("1200.50")
    assert first.is_sme is True
    assert first.sector == "Central Government"
    assert first.source == "spend.csv"
    assert first.supplier.name == "FLYINGBINARY LTD"
    assert first.supplier.supplier_profile.is_sme is True
    assert records[2].month.isoformat() == "2013-03-01"  # any day: the month's first
    assert records[2].supplier.supplier_profile.is_sme is False
    types = dict(Organisation.objects.buyers().values_list("name", "buyer_type"))
    assert types == {"Home Office": "central", "Leeds NHS Trust": "nhs", "West Police": "other"}


def test_credit_notes_are_kept_as_negative_amounts(tmp_path, capsys):
    run(write(tmp_path, spend_csv(*ROWS)), capsys)
    credit = SpendRecord.objects.credit_notes().get()
    assert credit.amount == Decimal("-200")
    assert credit.is_credit_note
    assert sum(r.amount for r in SpendRecord.objects.all()) == Decimal("6750.6234")


def test_existing_organisations_are_matched_ignoring_case_and_spacing(tmp_path, capsys):
    supplier = SupplierOrganisationFactory(name="FlyingBinary Ltd")
    buyer = BuyerOrganisationFactory(name="home  office")
    # A buyer with the supplier's name is a different organisation: kinds are matched too.
    BuyerOrganisationFactory(name="Big Co PLC")
    out, _ = run(write(tmp_path, spend_csv(*ROWS)), capsys)
    assert out[1].endswith("created 1 suppliers and 2 buyers")
    assert set(SpendRecord.objects.filter(line__in=[2, 3]).values_list("supplier", "buyer")) == {
        (supplier.pk, buyer.pk)
    }
    assert Organisation.objects.suppliers().filter(name="Big Co PLC").exists()
    assert not hasattr(supplier, "supplier_profile")  # existing suppliers are left alone


def test_loading_the_same_file_again_changes_nothing(tmp_path, capsys):
    path = write(tmp_path, spend_csv(*ROWS))
    run(path, capsys)
    organisations = Organisation.objects.count()
    keys = set(SpendRecord.objects.values_list("row_key", flat=True))
    out, _ = run(path, capsys)
    assert out == [
        "read 4 rows: 0 loaded, 4 already loaded, 0 rejected",
        "loaded £0.00 (0 credit notes); created 0 suppliers and 0 buyers",
    ]
    assert set(SpendRecord.objects.values_list("row_key", flat=True)) == keys
    assert Organisation.objects.count() == organisations


def test_repeated_rows_are_all_kept_and_still_idempotent(tmp_path, capsys):
    row = ROWS[0]
    path = write(tmp_path, spend_csv(row, row, row))
    out, _ = run(path, capsys)
    assert out[0] == "read 3 rows: 3 loaded, 0 already loaded, 0 rejected"
    assert SpendRecord.objects.count() == 3
    out, _ = run(path, capsys)
    assert out[0] == "read 3 rows: 0 loaded, 3 already loaded, 0 rejected"
    # A later, cumulative file that repeats the row once more adds only the new occurrence.
    out, _ = run(write(tmp_path, spend_csv(row, row, row, row), "later.csv"), capsys)
    assert out[0] == "read 4 rows: 1 loaded, 3 already loaded, 0 rejected"
    assert SpendRecord.objects.count() == 4
    assert SpendRecord.objects.from_source("later.csv").count() == 1


def test_the_same_row_spelled_differently_is_the_same_row(tmp_path, capsys):
    run(write(tmp_path, spend_csv(ROWS[0])), capsys)
    respelled = (
        f'{SAAS},2012-10-01,"£1,200.5",central government,sme,,flyingbinary  ltd,HOME OFFICE'
    )
    out, _ = run(write(tmp_path, spend_csv(respelled), "again.csv"), capsys)
    assert out[0] == "read 1 rows: 0 loaded, 1 already loaded, 0 rejected"


def test_bad_rows_are_rejected_naming_the_line_and_the_rest_load(tmp_path, capsys):
    text = spend_csv(
        ROWS[0],
        f"{SAAS},01/10/2012,twelve,Central Government,SME,,A Ltd,Home Office",
        f"{SAAS},31/02/2013,10,Central Government,SME,,A Ltd,Home Office",
        f"{SAAS},01/10/2012,10,Central Government,Medium,,A Ltd,Home Office",
        f"{SAAS},01/10/2012,10,Central Government,SME,,,Home Office",
        f"{SAAS},01/10/2012,1.23456,Central Government,SME,,A Ltd,",
        "",
        ROWS[2],
    )
    out, err = run(write(tmp_path, text), capsys)
    assert out[0] == "read 7 rows: 2 loaded, 0 already loaded, 5 rejected"
    assert err == [
        'line 3: rejected: EvidencedSpend: "twelve" is not an amount in pounds, like 1234.50 or -20',
        'line 4: rejected: Return Month: "31/02/2013" is not a date like 01/04/2013',
        'line 5: rejected: SME or Large: "Medium" should be SME or Large',
        "line 6: rejected: SupplierName: is empty",
        "line 7: rejected: CustomerName: is empty; "
        'EvidencedSpend: "1.23456" has more than 4 decimal places',
    ]
    assert SpendRecord.objects.count() == 2
    assert not Organisation.objects.filter(name="A Ltd").exists()


def test_amounts_with_pounds_commas_and_brackets(tmp_path, capsys):
    text = spend_csv(
        f'{SAAS},01/10/2012,"£1,234.50",Health,SME,,A Ltd,B Trust',
        f"{SAAS},01/10/2012,(20.00),Health,SME,,A Ltd,B Trust",
    )
    run(write(tmp_path, text), capsys)
    assert sorted(SpendRecord.objects.values_list("amount", flat=True)) == [
        Decimal("-20"),
        Decimal("1234.5"),
    ]


def test_windows_1252_files_are_read(tmp_path, capsys):
    text = spend_csv(f"{SAAS},01/10/2012,10,Health,SME,,Café Ltd,B Trust")
    run(write(tmp_path, text.encode("cp1252")), capsys)
    assert SpendRecord.objects.get().supplier.name == "Café Ltd"


def test_columns_in_another_order_with_extra_columns(tmp_path, capsys):
    text = spend_csv(
        "Home Office,A Ltd,SME,Central Government,99,01/05/2013,IaaS,ignored",
        header="CustomerName,SupplierName,SME or Large,Sector,EvidencedSpend,Return Month,"
        "LotDescription,Notes",
    )
    run(write(tmp_path, text), capsys)
    record = SpendRecord.objects.get()
    assert (record.lot_name, record.amount, record.buyer.name) == ("IaaS", 99, "Home Office")


def test_a_file_missing_columns_loads_nothing(tmp_path):
    text = spend_csv(ROWS[0], header="LotDescription,Return Month,EvidencedSpend,Sector")
    with pytest.raises(CommandError) as caught:
        call_command("import_spend", str(write(tmp_path, text)))
    assert str(caught.value) == (
        f"{tmp_path / 'spend.csv'}: The file's first line must name the columns; missing: "
        "SME or Large, SupplierName, CustomerName; nothing was loaded"
    )
    assert SpendRecord.objects.count() == 0
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\x81\x8d\x8f\x90\x9d", "The file is not text (UTF-8 or Windows-1252) CSV"),
    ],
)
def test_unreadable_files_are_refused(content, message):
    with pytest.raises(ValidationError) as caught:
        spend_import(name="x.csv", content=content)
    assert caught.value.message_dict == {"file": [message]}


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_spend", str(tmp_path / "nope.csv"))


def test_import_is_audited(tmp_path, capsys):
    run(write(tmp_path, spend_csv(*ROWS)), capsys)
    entry = AuditEntry.objects.get(action="reporting.spend_imported")
    assert entry.detail["loaded"] == 4
    assert entry.detail["amount_loaded"] == "6750.6234"


def test_new_spend_queues_a_report_refresh(tmp_path, django_capture_on_commit_callbacks):
    from reporting.models import ReportSnapshot

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        spend_import(name="a.csv", content=spend_csv(*ROWS))
    assert len(callbacks) == 1
    current = ReportSnapshot.objects.current("sme_share")
    assert current is not None and current.spend_rows == 4
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        spend_import(name="a.csv", content=spend_csv(*ROWS))
    assert callbacks == []  # nothing new: nothing to recompute
