"""Explanations a buyer can check: every marked phrase is the offer's own text, escaped."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings

from matching.engine import Document, build_index
from matching.engine.highlights import highlight, need_words

from .test_engine import _catalogue

SHARED = Path(settings.BASE_DIR).parent / "shared" / "benchmarks" / "matching"
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _offer_text(doc: Document) -> str:
    return "\n".join([doc.title, doc.summary, doc.description, *doc.features, *doc.categories])


def _check(results) -> int:
    checked = 0
    for result in results:
        explanation = result.explanation
        text = _offer_text(result.document)
        for item in [*explanation.highlights, *explanation.similar_work]:
            marks = [html.unescape(m) for m in _MARK.findall(item["html"])]
            assert marks == item["marked"]
            for phrase in marks:
                assert phrase in text, phrase
                checked += 1
            # everything outside the marks is escaped text: no other tags
            assert "<" not in _MARK.sub("", item["html"])
        for word in explanation.need_words:
            assert word.casefold() in result.query.casefold()
    return checked


def _search(index, query, **kwargs):
    results = index.search(query, **kwargs)
    for r in results:
        r.query = query
    return results


def test_every_marked_phrase_occurs_in_the_offer():
    index = build_index(_catalogue())
    checked = 0
    for query in (
        "We need cloud hosting for our council website",
        "case management CRM system with workflows",
        "user researcher for a discovery phase",
        "IT health check and penetration test",
    ):
        checked += _check(_search(index, query, top_k=5))
    assert checked >= 8


def test_markup_in_an_offer_is_escaped():
    found = highlight(
        "summary", "Hosting <script>alert(1)</script> & backups", need_words("hosting")
    )
    assert found is not None
    assert found.html.startswith("<mark>Hosting</mark> &lt;script&gt;")
    assert found.marked == ["Hosting"] and found.need_words == ["hosting"]


@pytest.mark.skipif(not (SHARED / "dos-track").exists(), reason="benchmark data not present")
def test_track_record_names_the_most_similar_past_contracts():
    import json

    lines = (SHARED / "dos-track" / "catalogue.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [Document.from_mapping(json.loads(line)) for line in lines if line.strip()]
    queries = (SHARED / "dos-track" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    index = build_index(docs)
    checked = 0
    with_work = 0
    for line in queries[:15]:
        query = json.loads(line)["text"]
        results = _search(index, query, top_k=5)
        checked += _check(results)
        for r in results:
            work = r.explanation.similar_work
            assert len(work) <= 3
            contracts = r.document.description.splitlines()
            assert all(w["text"] in contracts for w in work)
            with_work += bool(work)
    assert checked > 50 and with_work > 30


def test_the_plain_pieces_rebuild_the_marked_snippet():
    text = "Secure UK cloud hosting <b>for</b> government websites, hosting & backups"
    found = highlight("summary", text, need_words("cloud hosting"))
    assert "".join(t for t, _m in found.parts) in text
    assert (
        [t for t, marked in found.parts if marked] == found.marked == ["cloud hosting", "hosting"]
    )
    rebuilt = "".join(
        f"<mark>{html.escape(t)}</mark>" if marked else html.escape(t) for t, marked in found.parts
    )
    assert rebuilt == found.html
