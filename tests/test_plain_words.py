"""Plain words: audit actions as sentences, counts that agree with their nouns, money and
percentages rounded as people read them, and the crawl checker that finds what is not."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from ndx.audit.models import AuditEntry
from ndx.audit.sentences import DYNAMIC_ACTIONS, SENTENCES, action_phrase, audit_sentence
from ndx.plain_words import count_noun, money, percent
from tests.accounts.factories import UserFactory
from tests.plain_words import assert_plain_words, bad_plurals, plain_words_problems

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["ndx", "catalogue", "suppliers", "contracts", "buying", "reviews", "matching"]
SOURCE_DIRS += ["reporting", "market", "guidance"]


def _audit_calls():
    """(file, line, code or f-string pattern) for every audit_record(action=...) in the source."""
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name != "audit_record":
                    continue
                for keyword in node.keywords:
                    if keyword.arg != "action":
                        continue
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    for code, dynamic in _codes(keyword.value):
                        yield where, code, dynamic


def _codes(value):
    """The codes an action= expression can give: a literal, an f-string (as a pattern with
    "{}"), or either branch of `a if condition else b`; (None, False) for anything else."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [(value.value, False)]
    if isinstance(value, ast.JoinedStr):
        pattern = "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in value.values
        )
        return [(pattern, True)]
    if isinstance(value, ast.IfExp):
        return _codes(value.body) + _codes(value.orelse)
    return [(None, False)]


def test_the_scan_finds_the_audit_calls():
    codes = {code for _, code, _ in _audit_calls()}
    assert {"shortlist.frozen", "contract.awarded", "offer.approved"} <= codes
    assert len(codes) > 50


def test_every_audit_action_in_the_code_has_a_sentence():
    missing, dynamic_missing, unreadable = [], [], []
    for where, code, dynamic in _audit_calls():
        if code is None:
            unreadable.append(where)
        elif dynamic:
            if code not in DYNAMIC_ACTIONS:
                dynamic_missing.append(f"{where}: {code}")
        elif code not in SENTENCES:
            missing.append(f"{where}: {code}")
    assert not missing, "audit actions with no sentence in ndx/audit/sentences.py:\n" + "\n".join(
        missing
    )
    assert not dynamic_missing, "f-string audit actions missing from DYNAMIC_ACTIONS:\n" + (
        "\n".join(dynamic_missing)
    )
    assert not unreadable, "audit_record(action=...) not given a literal or f-string:\n" + (
        "\n".join(unreadable)
    )
    for pattern, values in DYNAMIC_ACTIONS.items():
        for value in values:
            assert pattern.format(value) in SENTENCES, pattern.format(value)


def test_the_dynamic_framework_membership_codes_cover_every_status():
    from suppliers.models import FrameworkMembership

    assert set(DYNAMIC_ACTIONS["framework_membership.{}"]) == set(FrameworkMembership.Status.values)


def test_sentences_are_plain_sentences_not_codes():
    for code, sentence in SENTENCES.items():
        assert sentence[0].isupper(), code
        assert "." not in sentence and "_" not in sentence, code


@pytest.mark.django_db
def test_an_audit_entry_reads_as_a_sentence():
    priya = UserFactory(full_name="Priya Shah")
    entry = AuditEntry.objects.create(actor=priya, action="shortlist.frozen")
    assert audit_sentence(entry) == "Shortlist frozen by Priya Shah"
    system = AuditEntry.objects.create(action="framework.expired")
    assert audit_sentence(system) == "Framework expired automatically"
    rendered = Template("{% load plain %}{{ entry|audit_sentence }}").render(
        Context({"entry": entry})
    )
    assert rendered == "Shortlist frozen by Priya Shah"


def test_an_unknown_code_still_reads_as_words():
    assert action_phrase("widget.polished_twice") == "Widget polished twice"


# --- counts, money, percentages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 months"), (1, "1 month"), (2, "2 months"), (Decimal("1.0"), "1 month"),
     (1200, "1,200 months"), (1.5, "1.5 months"), (None, "")],
)  # fmt: skip
def test_counts_agree_with_their_nouns(count, expected):
    assert count_noun(count, "month") == expected


def test_irregular_plurals_and_the_filter():
    assert count_noun(2, "person", "people") == "2 people"
    template = Template(
        '{% load plain %}{{ a|count_noun:"month" }}; {{ b|count_noun:"person,people" }}'
    )
    assert template.render(Context({"a": 1, "b": 3})) == "1 month; 3 people"


@pytest.mark.parametrize(
    ("value", "per", "expected"),
    [
        (12500, "", "£12,500"),
        (Decimal("12500.40"), "", "£12,500"),
        (1_240_000, "", "£1.2m"),
        (3_000_000, "", "£3m"),
        (1_500_000_000, "", "£1.5bn"),
        (999_999_999, "", "£1bn"),
        (150000, "year", "£150,000 a year"),
        (Decimal("12.5"), "", "£12.50"),
        (12, "", "£12"),
        (0, "", "£0"),
        (-2500, "", "-£2,500"),
        ("not money", "", ""),
    ],
)
def test_money_is_rounded_as_people_read_it(value, per, expected):
    assert money(value, per=per) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1482, "0.15%"),
        (40.0, "40%"),
        (85.714, "86%"),
        (3.25, "3.3%"),
        (3.0, "3%"),
        (0.0123, "0.012%"),
        (0.004, "less than 0.01%"),
        (0, "0%"),
        (100, "100%"),
    ],
)
def test_percentages_are_rounded_sensibly(value, expected):
    assert percent(value) == expected


def test_a_share_of_one_and_the_filters():
    assert percent(0.4, fraction=True) == "40%"
    template = Template(
        '{% load plain %}{{ a|percent }} {{ b|percent:"fraction" }} {{ c|money:"year" }}'
    )
    rendered = template.render(Context({"a": 0.1482, "b": 0.857, "c": 150000}))
    assert rendered == "0.15% 86% £150,000 a year"


# --- the crawl checker -------------------------------------------------------------------------


def test_the_checker_finds_an_audit_code_in_the_text():
    html = "<ul><li>3 June 2026: shortlist.frozen by Priya Shah</li></ul>"
    assert plain_words_problems(html) == ["audit action code 'shortlist.frozen'"]
    with pytest.raises(AssertionError, match="shortlist.frozen"):
        assert_plain_words(html, "/buying/shortlists/1/")


def test_the_checker_finds_codes_in_spoken_attributes_but_not_in_addresses_or_scripts():
    assert plain_words_problems('<img alt="contract.awarded" src="x.png">')
    assert not plain_words_problems('<a href="/contract.awarded/">Contract awarded</a>')
    assert not plain_words_problems("<script>var a = 'offer.approved';</script>")


def test_the_checker_finds_a_plural_after_one():
    assert plain_words_problems("<td>1 months</td>") == [
        "count that disagrees with its noun: '1 months'"
    ]
    assert bad_plurals("Minimum term: 1 years. 1 offers found") == ["1 years", "1 offers"]


@pytest.mark.parametrize(
    "text",
    ["1 month", "21 months", "11 offers", "1 business day", "1 status", "Step 1 asks you",
     "Lot 1 covers cloud hosting", "1.5 months", "Question 1 has 2 answers", "£1 saves"],
)  # fmt: skip
def test_the_checker_accepts_plain_words(text):
    assert bad_plurals(text) == []


def test_the_checker_passes_a_plain_page():
    assert_plain_words(
        "<main><h1>Compare</h1><p>1 month minimum term, 3 offers</p>"
        "<p>Shortlist frozen by Priya Shah</p></main>"
    )


@pytest.mark.django_db
def test_the_foundation_pages_are_in_plain_words(client):
    """The checker pointed at the pages this layer owns (the lead points it at every page)."""
    from ndx.notifications.services import notification_send

    public = ["/", "/accessibility/", "/cookies/", "/privacy/", "/accounts/login/"]
    public += ["/accounts/signup/", "/accounts/password/reset/"]
    for url in public:
        assert_plain_words(client.get(url).content.decode(), url)
    person = UserFactory()
    notification_send(recipient=person, kind="k.k", title="Your offer was approved", key="1")
    client.force_login(person)
    signed_in = ["/", "/account/", "/notifications/", "/notifications/settings/"]
    signed_in += ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]
    for url in signed_in:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_plain_words(response.content.decode(), url)
