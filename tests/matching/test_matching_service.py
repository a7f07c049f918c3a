"""Matching wired to the catalogue: builds, swaps, incremental updates, requirement matching."""

import json
import threading
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from buying.models import Requirement
from catalogue import services as catalogue_services
from catalogue.search_index import revision_search_index
from matching import runtime, services
from matching.models import IndexBuild, MatchRun
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared" / "benchmarks" / "matching"


@pytest.fixture
def catalogue():
    lot = LotFactory()
    other_lot = LotFactory(framework=lot.framework)
    small = approved_supplier(lot)
    big = approved_supplier(lot, is_sme=False, size="large", headcount_band="250+")
    offers = {
        "payroll": make_offer(
            small,
            lot,
            title="Payroll and pensions for schools",
            summary="Run payroll for academy trusts.",
            description="Monthly payroll, pensions auto-enrolment, HMRC RTI submissions.",
            price=Decimal("3.00"),
            list_price=Decimal("4.00"),
            hosting_location="uk",
            certifications=["cyber-essentials"],
        ),
        "care": make_offer(
            big,
            lot,
            title="Adult social care case management",
            summary="Case management for adult social care teams.",
            description="Assessments, care plans and provider payments.",
            price=Decimal("20.00"),
            list_price=Decimal("30.00"),
            hosting_location="uk-eea",
            certifications=["iso-27001", "cyber-essentials-plus"],
        ),
        "hosting": make_offer(
            small,
            other_lot,
            title="Managed cloud hosting",
            summary="UK cloud hosting with 24/7 support.",
            description="Virtual machines, backups, monitoring.",
            price=Decimal("500.00"),
            list_price=Decimal("600.00"),
            pricing_model="fixed",
            hosting_location="uk",
        ),
    }
    approved_supplier(other_lot, organisation=small)
    revision_search_index(revision_ids=[o.published_revision_id for o in offers.values()])
    return offers


@pytest.fixture
def buyer():
    return member(BuyerOrganisationFactory(), role="admin")


def requirement_for(buyer, text, **fields):
    return Requirement.objects.create(
        organisation=buyer.organisation,
        created_by=buyer,
        title=fields.pop("title", "Our need"),
        problem=text,
        status=Requirement.Status.SUBMITTED,
        **fields,
    )


def test_reindex_command_builds_and_swaps_in(catalogue):
    out = StringIO()
    call_command("reindex", stdout=out)
    assert out.getvalue().startswith("indexed 3 offers in ")
    build = IndexBuild.objects.get()
    assert build.is_current and build.status == "succeeded" and Path(build.path).exists()
    assert len(runtime.current_index().index) == 3


def test_obviously_relevant_offer_ranks_first_with_real_explanations(catalogue, buyer):
    services.index_rebuild_now()
    run = services.requirement_match(
        actor=buyer, requirement=requirement_for(buyer, "We need payroll for our schools")
    )
    top = run.offers[0]
    assert top["offer_id"] == catalogue["payroll"].pk
    matched = {t for terms in top["explanation"]["matched_terms"].values() for t in terms}
    assert "payroll" in matched
    assert "payroll" in top["explanation"]["text"].lower()
    assert run.engine_version and run.index_build.is_current
    assert MatchRun.objects.count() == 1


@pytest.mark.parametrize(
    "fields, allowed",
    [
        ({"hosting_locations": ["uk"]}, {"payroll", "hosting"}),
        ({"certifications": ["iso-27001"]}, {"care"}),
        ({"budget_max": Decimal("100"), "user_count": 2}, {"payroll"}),
    ],
)
def test_eligibility_filters_are_never_violated(catalogue, buyer, fields, allowed):
    services.index_rebuild_now()
    requirement = requirement_for(buyer, "payroll case management cloud hosting", **fields)
    run = services.requirement_match(actor=buyer, requirement=requirement)
    got = {
        name for name, offer in catalogue.items() if offer.pk in {e["offer_id"] for e in run.offers}
    }
    assert got <= allowed and got


def test_lot_preference_is_a_hard_filter(catalogue, buyer):
    services.index_rebuild_now()
    requirement = requirement_for(buyer, "cloud hosting payroll", lot=catalogue["hosting"].lot)
    run = services.requirement_match(actor=buyer, requirement=requirement)
    assert [e["offer_id"] for e in run.offers] == [catalogue["hosting"].pk]


def test_withdrawn_offer_is_gone_after_its_update_task(
    catalogue, buyer, django_capture_on_commit_callbacks
):
    services.index_rebuild_now()
    supplier_user = member(catalogue["payroll"].supplier, role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.offer_withdraw(actor=supplier_user, offer=catalogue["payroll"])
    loaded = runtime.current_index()
    assert str(catalogue["payroll"].pk) not in loaded.index
    run = services.requirement_match(actor=buyer, requirement=requirement_for(buyer, "payroll"))
    assert catalogue["payroll"].pk not in [e["offer_id"] for e in run.offers]


def test_published_edit_is_visible_to_matching(
    catalogue, buyer, django_capture_on_commit_callbacks
):
    services.index_rebuild_now()
    staff = StaffFactory()
    supplier_user = member(catalogue["hosting"].supplier, role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        from tests.catalogue.factories import revision_content

        catalogue_services.offer_update(
            actor=supplier_user,
            offer=catalogue["hosting"],
            **revision_content(title="Managed cloud hosting with quantum widgets"),
        )
        catalogue_services.offer_submit(actor=supplier_user, offer=catalogue["hosting"])
        catalogue["hosting"].refresh_from_db()
        catalogue_services.offer_approve(
            actor=staff, revision=catalogue["hosting"].working_revision
        )
    run = services.requirement_match(
        actor=buyer, requirement=requirement_for(buyer, "quantum widgets")
    )
    assert run.offers[0]["offer_id"] == catalogue["hosting"].pk


def test_failed_build_keeps_the_old_index(catalogue, monkeypatch):
    good = services.index_rebuild_now()

    def broken(*args, **kwargs):
        raise MemoryError("out of memory while building")

    monkeypatch.setattr(services, "build_index", broken)
    with pytest.raises(MemoryError):
        services.index_rebuild_now()
    failed = IndexBuild.objects.get(status="failed")
    assert "out of memory" in failed.error
    assert IndexBuild.objects.current().get() == good
    assert runtime.current_index().build_id == good.pk


@pytest.mark.django_db(transaction=True)
def test_two_builds_at_once_do_not_corrupt_the_index(catalogue):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent builds need PostgreSQL (SQLite serialises writers)")
    first = IndexBuild.objects.create()
    second = IndexBuild.objects.create()
    errors = []

    def run(build_id):
        try:
            services.index_build_run(build_id=build_id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(b.pk,)) for b in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert IndexBuild.objects.current().count() == 1
    assert len(runtime.current_index(force=True).index) == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 50_000,
        "Nous avons besoin d'un logiciel de paie 工资单",
        "<script>alert(1)</script><b>payroll</b>",
    ],
)
def test_odd_requirements_give_a_clear_result(catalogue, buyer, text):
    services.index_rebuild_now()
    run = services.requirement_match(
        actor=buyer, requirement=requirement_for(buyer, text, title="x")
    )
    assert isinstance(run.offers, list)


def test_matching_before_any_index_is_a_clear_error(catalogue, buyer):
    with pytest.raises(ValidationError, match="not ready"):
        services.requirement_match(actor=buyer, requirement=requirement_for(buyer, "payroll"))


def test_draft_requirement_cannot_be_matched(catalogue, buyer):
    services.index_rebuild_now()
    requirement = requirement_for(buyer, "payroll")
    requirement.status = Requirement.Status.DRAFT
    with pytest.raises(ValidationError):
        services.requirement_match(actor=buyer, requirement=requirement)


def test_match_queries_command_output(catalogue, tmp_path):
    catalogue["payroll"].external_id = "ext-payroll"
    catalogue["payroll"].save()
    services.index_rebuild_now()
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"id": "q1", "text": "payroll"})
        + "\n"
        + json.dumps({"id": "q2", "text": "hosting"})
        + "\n"
    )
    out, err = StringIO(), StringIO()
    call_command("match_queries", str(queries), "--top", "2", stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {"id": "q1", "results": lines[0]["results"]}
    assert lines[0]["results"][0] == "ext-payroll"
    assert lines[1]["results"][0] == str(catalogue["hosting"].pk)
    assert all(len(line["results"]) <= 2 for line in lines)
    assert "p50" in err.getvalue() and "p95" in err.getvalue()


def test_match_queries_rejects_bad_lines(tmp_path, catalogue):
    from django.core.management.base import CommandError

    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": 1}\n')
    with pytest.raises(CommandError, match='line 1: needs "id" and "text"'):
        call_command("match_queries", str(queries))


@pytest.mark.skipif(not (SHARED / "dos-roles").exists(), reason="../shared benchmarks are absent")
def test_evaluate_matcher_on_a_real_task():
    call_command(
        "import_catalogue", str(SHARED / "dos-roles" / "catalogue.jsonl"), stdout=StringIO()
    )
    out = StringIO()
    call_command("evaluate_matcher", str(SHARED / "dos-roles"), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == "task engine ndcg@10 mrr@10 recall@10 p50_ms p95_ms"
    ours = dict(zip(lines[0].split(), lines[1].split(), strict=True))
    bm25 = dict(zip(lines[0].split(), lines[2].split(), strict=True))
    assert ours["engine"] == "ndx" and bm25["engine"] == "bm25"
    assert float(ours["ndcg@10"]) > 0.6
    # The BM25 row is the published reference setup (README of the benchmark: NDCG@10 0.782,
    # MRR@10 0.740, Recall@10 0.914 on this split), so the comparison below is against it.
    assert float(bm25["ndcg@10"]) == pytest.approx(0.782, abs=0.005)
    assert float(bm25["mrr@10"]) == pytest.approx(0.740, abs=0.005)
    # Short, jargon-heavy titles are BM25's home ground: the engine is at parity there (0.775
    # against 0.782 NDCG@10 when this was written), never more than 0.02 behind on NDCG@10 or
    # MRR@10; it is far ahead on long requirements (cpv, benchmarks/matching_eval.py).
    assert float(ours["ndcg@10"]) >= float(bm25["ndcg@10"]) - 0.02
    assert float(ours["mrr@10"]) >= float(bm25["mrr@10"]) - 0.02


def _embeddings_available():
    from matching.engine import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder.available()


@pytest.mark.skipif(
    not _embeddings_available(), reason="needs the embeddings extra: pip install .[embeddings]"
)
def test_embeddings_configuration_builds_and_matches(catalogue, buyer, settings):
    settings.MATCHING_EMBEDDINGS = True
    build = services.index_rebuild_now()
    assert build.embeddings and build.status == "succeeded"
    run = services.requirement_match(
        actor=buyer, requirement=requirement_for(buyer, "salaries and pensions for teachers")
    )
    assert run.offers[0]["offer_id"] == catalogue["payroll"].pk


def test_embeddings_switched_on_without_the_extra_fails_clearly(catalogue, settings, monkeypatch):
    from matching.engine import SentenceTransformerEmbedder

    settings.MATCHING_EMBEDDINGS = True
    monkeypatch.setattr(SentenceTransformerEmbedder, "available", staticmethod(lambda: False))
    with pytest.raises(RuntimeError, match="embeddings extra is not installed"):
        services.index_rebuild_now()
    assert IndexBuild.objects.get().status == "failed"


def test_a_build_whose_worker_died_is_marked_interrupted(catalogue):
    from datetime import timedelta

    from django.utils import timezone

    good = services.index_rebuild_now()
    dead = IndexBuild.objects.create(
        status="running",
        started_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now() - timedelta(minutes=40),
    )
    alive = IndexBuild.objects.create(
        status="running", started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    assert services.index_builds_mark_interrupted() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == "failed" and "Interrupted" in dead.error
    assert alive.status == "running"
    assert IndexBuild.objects.current().get() == good
    assert services.index_builds_mark_interrupted() == 0


def test_an_index_from_another_engine_version_is_rebuilt(catalogue, monkeypatch):
    from matching.engine import storage

    old = services.index_rebuild_now()
    # the loader now expects another engine version than the one that wrote the index
    monkeypatch.setattr(storage, "ENGINE_VERSION", "ndx-matching-0.0.1")
    runtime.reset()
    loaded = runtime.current_index(force=True)
    # The old file is refused (nothing loaded) and a new build is queued.
    assert loaded is None
    new = IndexBuild.objects.exclude(pk=old.pk).get()
    assert new.status == "queued"
    runtime.current_index(force=True)
    assert IndexBuild.objects.count() == 2  # not queued twice


def test_related_offers_that_fail_a_hard_need_are_listed_with_the_reason(catalogue, buyer):
    services.index_rebuild_now()
    requirement = requirement_for(
        buyer,
        "payroll case management cloud hosting",
        budget_max=Decimal("100"),
        user_count=2,
        hosting_locations=["uk"],
    )
    run = services.requirement_match(actor=buyer, requirement=requirement)
    assert [e["offer_id"] for e in run.offers] == [catalogue["payroll"].pk]
    reasons = {e["offer_id"]: e["reasons"] for e in run.near_misses}
    assert reasons[catalogue["hosting"].pk] == ["£400 one-off over your budget."]
    assert reasons[catalogue["care"].pk] == [
        "Hosting is UK and European Economic Area; you need UK only.",
        "£380 a year over your budget.",
    ]
    payroll = run.offers[0]
    # £3.00 per user per month for 2 users: a yearly sum, not a one-off
    assert payroll["estimate_label"] == "£72.00 a year"
    assert "Estimated £72.00 a year for 2 users" in payroll["explanation"]["text"]
