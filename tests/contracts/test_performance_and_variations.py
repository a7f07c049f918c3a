"""KPIs and performance reports, section 74 variations and versions, benefits, renewals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.dates import add_months
from contracts.models import Contract, ContractVariation, PerformanceReport
from contracts.services import benefits, performance, renewals, variations
from tests.contracts.helpers import KPIS, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def started_contract(world, months_ago: int = 7, **kw) -> Contract:
    contract = world.award(start_in=0, **kw)
    start = add_months(timezone.localdate(), -months_ago)
    Contract.objects.filter(pk=contract.pk).update(
        start_date=start, end_date=add_months(start, 24), original_end_date=add_months(start, 24)
    )
    contract.refresh_from_db()
    return contract


def file(world, contract, rating="good", **kw):
    period = performance.reports_due(contract)[0]
    results = {kpi.pk: {"achieved": "99%", "rating": rating} for kpi in contract.kpi_set.all()}
    return performance.performance_report_file(
        actor=world.buyer,
        contract=contract,
        period_end=period.end,
        kind=period.kind,
        results=results,
        overall_rating=rating,
        **kw,
    )


def test_at_least_three_kpis_with_measure_and_target(world):
    contract = started_contract(world)
    with pytest.raises(ValidationError) as exc:
        performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS[:2])
    assert "Set at least 3 KPIs (you have 2)" in str(exc.value)
    with pytest.raises(ValidationError, match="Enter the target"):
        performance.contract_kpis_set(
            actor=world.buyer, contract=contract, kpis=[*KPIS[:2], {"name": "X", "measure": "Y"}]
        )
    with pytest.raises(PermissionDenied):
        performance.contract_kpis_set(actor=world.supplier, contract=contract, kpis=KPIS)
    assert len(performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS)) == 3


def test_quarterly_reports_due_and_filed_once(world):
    contract = started_contract(world, months_ago=7)
    performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS)
    due = performance.reports_due(contract)
    assert len(due) == 2 and due[0].start == contract.start_date
    assert due[0].is_overdue(timezone.localdate())
    report = file(world, contract)
    assert report.period_start == due[0].start
    with pytest.raises(ValidationError, match="no report due for that period"):
        performance.performance_report_file(
            actor=world.buyer,
            contract=contract,
            period_end=due[0].end,
            results={},
            overall_rating="good",
        )
    assert len(performance.reports_due(contract)) == 1


def test_a_report_needs_every_kpi_rated_and_other_explained(world):
    contract = started_contract(world)
    performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS)
    period = performance.reports_due(contract)[0]
    kpi = contract.kpi_set.first()
    with pytest.raises(ValidationError) as exc:
        performance.performance_report_file(
            actor=world.buyer,
            contract=contract,
            period_end=period.end,
            results={kpi.pk: {"achieved": "99%", "rating": "other"}},
            overall_rating="",
        )
    errors = exc.value.message_dict
    assert errors[f"kpi_{kpi.pk}_rating_explanation"] == [
        "Explain the rating when you choose Other"
    ]
    assert errors["overall_rating"] == ["Choose a rating"]
    assert PerformanceReport.objects.count() == 0


def test_a_supplier_cannot_file_the_buyers_report_and_responds_once(world):
    contract = started_contract(world)
    performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS)
    period = performance.reports_due(contract)[0]
    with pytest.raises(PermissionDenied):
        performance.performance_report_file(
            actor=world.supplier,
            contract=contract,
            period_end=period.end,
            results={},
            overall_rating="good",
        )
    report = file(world, contract)
    with pytest.raises(PermissionDenied):
        performance.performance_report_respond(actor=world.buyer, report=report, response="x")
    performance.performance_report_respond(actor=world.supplier, report=report, response="Agreed")
    with pytest.raises(ValidationError, match="already responded"):
        performance.performance_report_respond(actor=world.supplier, report=report, response="x")


def test_two_inadequate_in_a_row_flag_the_contract(world):
    contract = started_contract(world)
    performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS)
    file(world, contract, rating="inadequate")
    contract.refresh_from_db()
    assert contract.flagged_at is None
    file(world, contract, rating="inadequate")
    contract.refresh_from_db()
    assert contract.flagged_at is not None and "Inadequate" in contract.flag_reason


def test_overdue_report_reminder_is_sent_once(world, django_capture_on_commit_callbacks):
    contract = started_contract(world)
    performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert performance.report_reminders_send() == 1
        assert performance.report_reminders_send() == 0
    assert len(mail.outbox) == 1 and "overdue" in mail.outbox[0].subject


def test_kpi_history_chart_has_a_title_and_description(world):
    from contracts.charts import kpi_chart

    contract = started_contract(world)
    performance.contract_kpis_set(actor=world.buyer, contract=contract, kpis=KPIS)
    file(world, contract, rating="good")
    file(world, contract, rating="inadequate")
    row = performance.kpi_history(contract)[0]
    svg = kpi_chart("c", row["kpi"].name, row["results"])
    assert 'role="img"' in svg and "<title" in svg and "Inadequate" in svg


# --- variations ----------------------------------------------------------------------------


def propose(world, contract, **kw):
    kw.setdefault("reason", "More users joined")
    return variations.contract_variation_propose(actor=world.buyer, contract=contract, **kw)


def test_below_threshold_up_to_ten_percent_all_changes_added_up(world):
    contract = started_contract(world)  # 500 users x 24 months... value from award
    award = contract.value
    small = (contract.quantity * Decimal("1.05")).quantize(Decimal("1"))
    change = propose(world, contract, ground="below_threshold", new_quantity=small)
    assert change.change_notice_at is None
    variations.contract_variation_accept(actor=world.supplier, variation=change)
    contract.refresh_from_db()
    more = (contract.quantity * Decimal("1.06")).quantize(Decimal("1"))
    with pytest.raises(ValidationError) as exc:
        propose(world, contract, ground="below_threshold", new_quantity=more)
    assert "at most 10% of the award value" in str(exc.value) and "all changes added up" in str(
        exc.value
    )
    assert contract.value_at_award == award


def test_not_substantial_term_change_limit_and_no_value_change(world):
    contract = started_contract(world)
    limit = int((contract.end_date - contract.start_date).days * 0.10)
    with pytest.raises(ValidationError, match="at most 10% of the maximum term"):
        propose(
            world,
            contract,
            ground="not_substantial",
            new_end_date=contract.end_date + timedelta(days=limit + 1),
        )
    with pytest.raises(ValidationError, match="cannot change the value"):
        propose(world, contract, ground="not_substantial", new_quantity=contract.quantity + 1)
    with pytest.raises(ValidationError, match="materially changes the scope"):
        propose(
            world,
            contract,
            ground="not_substantial",
            scope_change="Add payroll",
            material_scope_change=True,
        )
    change = propose(
        world,
        contract,
        ground="not_substantial",
        new_end_date=contract.end_date + timedelta(days=limit),
    )
    assert change.new_end_date is not None


def test_schedule_8_at_most_half_the_award_value_each(world):
    contract = started_contract(world)
    with pytest.raises(ValidationError, match="at most 50% of the award value"):
        propose(world, contract, ground="additional", new_quantity=contract.quantity * 2)
    with pytest.raises(ValidationError, match="Choose the legal ground"):
        propose(world, contract, ground="", new_quantity=contract.quantity + 1)


def test_unit_price_above_the_national_price_is_refused(world):
    contract = started_contract(world, unit_price="20.00")
    with pytest.raises(ValidationError, match="national price of £25.00"):
        propose(world, contract, ground="unforeseeable", new_unit_price="26.00")


def test_above_ten_percent_needs_a_change_notice_and_8_working_days(world):
    contract = started_contract(world)
    change = propose(
        world, contract, ground="unforeseeable", new_quantity=contract.quantity * Decimal("1.3")
    )
    assert change.change_notice_at is not None and change.standstill_ends_on > timezone.localdate()
    with pytest.raises(ValidationError, match="8 working days after its contract change notice"):
        variations.contract_variation_accept(actor=world.supplier, variation=change)
    later = timezone.now() + timedelta(days=20)
    version = variations.contract_variation_accept(
        actor=world.supplier, variation=change, now=later
    )
    contract.refresh_from_db()
    assert version.number == 2 and contract.value == version.value > contract.value_at_award
    assert list(contract.versions.values_list("number", flat=True)) == [1, 2]
    assert contract.versions.get(number=1).value == contract.value_at_award  # never overwritten


def test_supplier_rejects_with_a_reason_and_only_the_supplier_answers(world):
    contract = started_contract(world)
    change = propose(world, contract, ground="below_threshold", new_quantity=contract.quantity + 10)
    with pytest.raises(ValidationError, match="already waiting"):
        propose(world, contract, ground="below_threshold", new_quantity=contract.quantity + 5)
    with pytest.raises(PermissionDenied):
        variations.contract_variation_accept(actor=world.buyer, variation=change)
    with pytest.raises(ValidationError, match="Enter why"):
        variations.contract_variation_reject(actor=world.supplier, variation=change, comment="")
    variations.contract_variation_reject(actor=world.supplier, variation=change, comment="Price")
    with pytest.raises(ValidationError, match="rejected by the supplier, so it cannot be accepted"):
        variations.contract_variation_accept(actor=world.supplier, variation=change)


def test_a_change_past_the_framework_maximum_is_refused():
    world = World(max_value="160000")
    contract = world.award(start_in=0, end_date=add_months(timezone.localdate(), 12))
    with pytest.raises(ValidationError, match="past its maximum value"):
        propose(
            world, contract, ground="unforeseeable", new_quantity=contract.quantity * Decimal("1.2")
        )


def test_no_change_to_a_closed_contract(world):
    from contracts.services import lifecycle

    contract = started_contract(world)
    lifecycle.contract_terminate(actor=world.buyer, contract=contract, reason="Ended")
    with pytest.raises(ValidationError, match="so it cannot be changed"):
        propose(world, contract, ground="below_threshold", new_quantity=contract.quantity + 1)


@pytest.mark.parametrize("state", sorted(ContractVariation.LIFECYCLE.states()))
@pytest.mark.parametrize("name", sorted(ContractVariation.LIFECYCLE.moves))
def test_every_declared_variation_move(state, name):
    change = ContractVariation(status=state)
    declared = state in ContractVariation.LIFECYCLE.moves[name].sources
    assert ContractVariation.LIFECYCLE.can(change, name) is declared


# --- benefits and renewals -----------------------------------------------------------------


def test_benefits_need_an_assessment_and_evidence_for_each_outcome(world):
    contract = world.award(start_in=0, outcomes="Fewer missed visits\nCases closed faster")
    with pytest.raises(ValidationError) as exc:
        benefits.contract_benefits_assess(actor=world.buyer, contract=contract, assessments={})
    assert len(exc.value.message_dict) == 4
    first, second = contract.outcomes.all()
    benefits.contract_benefits_assess(
        actor=world.buyer,
        contract=contract,
        assessments={
            first.pk: {"assessment": "achieved", "evidence": "Down 30%"},
            second.pk: {"assessment": "partly", "evidence": "Down 5%"},
        },
    )
    contract.refresh_from_db()
    assert contract.benefits == Contract.Benefits.ASSESSED
    with pytest.raises(ValidationError, match="already been assessed"):
        benefits.contract_benefits_not_assessed(actor=world.buyer, contract=contract, reason="x")


def test_not_assessed_needs_a_reason(world):
    contract = world.award(start_in=0)
    with pytest.raises(ValidationError, match="Enter why"):
        benefits.contract_benefits_not_assessed(actor=world.buyer, contract=contract, reason="")
    with pytest.raises(ValidationError, match="no outcomes to assess"):
        benefits.contract_benefits_assess(actor=world.buyer, contract=contract, assessments={})


def test_renewal_emails_at_90_and_30_days_once_each(world, django_capture_on_commit_callbacks):
    contract = world.award(start_in=0, days=80)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert renewals.renewal_reminders_send() == 1
        assert renewals.renewal_reminders_send() == 0
        later = contract.end_date - timedelta(days=20)
        assert renewals.renewal_reminders_send(today=later) == 1
        assert renewals.renewal_reminders_send(today=later) == 0
    assert len(mail.outbox) == 2 and "ends within 30 days" in mail.outbox[1].subject


def test_a_contract_found_inside_30_days_gets_one_email(world, django_capture_on_commit_callbacks):
    world.award(start_in=0, days=20)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert renewals.renewal_reminders_send() == 1
        assert renewals.renewal_reminders_send() == 0
    assert len(mail.outbox) == 1
