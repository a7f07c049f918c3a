"""The quality parts of the engine: vocabulary expansion and track record by past contract."""

from dataclasses import replace

from matching.engine import Document, EngineConfig, build_index
from matching.engine.vocabulary import ROLE_ALIASES, expansion

from .test_engine import _catalogue


def test_aliases_and_abbreviations_expand_to_the_role_name():
    assert expansion("DevOps Lead Engineer") == "web operations engineer"
    assert expansion("Head of QA") == "quality assurance analyst"
    assert expansion("Borders Scrum Master") == "delivery manager"
    assert expansion("Product Owner for a digital service") == "product manager"
    # longest alias first: "solution architect" is one alias, not "architect" twice
    assert expansion("Solution Architect and UX designer") == "technical architect designer"
    assert expansion("payroll for schools") == ""
    assert len(ROLE_ALIASES) == 20


def _roles() -> list[Document]:
    names = ["Web operations engineer", "Data engineer", "Developer", "Designer"]
    return [
        Document(id=n, title=n, summary=f"{n} available as a digital specialist") for n in names
    ]


def test_expansion_finds_the_role_a_jargon_title_means():
    index = build_index(_roles())
    assert index.search("Lead DevOps Engineer", top_k=1)[0].id == "Web operations engineer"
    plain = build_index(_roles(), replace(EngineConfig(), expansion_weight=0.0))
    assert plain.search("Lead DevOps Engineer", top_k=1)[0].id == "Data engineer"


def _track_records() -> list[Document]:
    topics = [
        "parking permits",
        "waste collection routes",
        "housing repairs portal",
        "library loans",
        "council tax online forms",
        "planning applications search",
        "school admissions appeals",
        "blue badge renewals",
        "pest control bookings",
        "allotment waiting lists",
        "electoral register canvass",
        "licensing of taxis",
    ]
    broad = "\n".join(
        f"Discovery for {t} (digital outcomes; Council {i})" for i, t in enumerate(topics)
    )
    return [
        Document(
            id="specialist",
            title="Digital delivery services (13 past contracts)",
            description=broad + "\nPrison education case management alpha (digital outcomes; MoJ)",
        ),
        Document(
            id="generalist",
            title="Digital delivery services (2 past contracts)",
            description="Prison case management discovery, prison case management support "
            "(digital outcomes; HMPPS)\n"
            "Education alpha, further education alpha (digital outcomes; DfE)",
        ),
        Document(
            id="other",
            title="Digital delivery services (2 past contracts)",
            description="Payroll migration (digital outcomes; DfE)\nHR system beta (DWP)",
        ),
    ]


def test_a_supplier_is_scored_by_its_most_similar_past_contract():
    query = "Prison education case management alpha"
    index = build_index(_track_records())
    results = index.search(query, top_k=3)
    assert results[0].id == "specialist"
    assert results[0].explanation.similar_work[0]["text"].startswith("Prison education")
    assert len(index._passages().owner) == 17
    # one long concatenated document would rank the supplier with partial matches first
    whole = build_index(_track_records(), replace(EngineConfig(), track_weight=0.0))
    assert whole.search(query, top_k=1)[0].id == "generalist"


def test_prose_descriptions_are_not_split_into_passages():
    index = build_index(_catalogue())
    assert len(index._passages().owner) == 0
    assert all(not r.explanation.similar_work for r in index.search("cloud hosting", top_k=5))


def test_upserts_do_not_rescan_a_prose_catalogue_and_removed_rows_never_count():
    prose = [
        Document(id=f"o{i}", title=f"Offer {i}", description="One paragraph.") for i in range(40)
    ]
    index = build_index(prose)
    first = index._passages()
    index.upsert([Document(id="new", title="Managed hosting", description="Prose.")])
    assert index._passages() is first  # fewer than 5% more rows: the decision stands
    index.upsert([Document(id=f"n{i}", title="Hosting", description="Prose.") for i in range(3)])
    assert index._passages() is not first  # past 5%: looked at again
    track = build_index(_track_records())
    track.remove(["specialist"])
    ids = [r.id for r in track.search("Prison education case management alpha", top_k=3)]
    assert "specialist" not in ids and ids[0] == "generalist"
