"""Query expansion from a shipped vocabulary: job titles and abbreviations buyers use.

Short, jargon-heavy requests ("Head of QA", "DevOps Lead Engineer", "Scrum Master") often share
no word with the offer that fits them. `expansion(text)` returns the canonical words for every
alias the text contains, which the lexical channel adds to the query at a lower weight (they
never count as the buyer's own words in explanations).

Sources: the canonical names are the 20 Digital Outcomes and Specialists 5 specialist roles
(Crown Commercial Service digitalmarketplace-frameworks, MIT licence, Crown Copyright GDS); the
aliases are the common public-sector job titles and abbreviations for each role as described
in the DOS buyers' guidance and the GOV.UK Service Manual's roles pages (Open Government
Licence v3.0), written out by hand. They are generic: none is taken from a benchmark query.
"""

from __future__ import annotations

import re
from functools import lru_cache

# canonical role name -> aliases (lower case, whole words)
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "agile coach": (
        "agile coaching",
        "agile transformation",
        "ways of working coach",
        "lean coach",
    ),
    "business analyst": (
        "ba",
        "business analysis",
        "requirements analyst",
        "process analyst",
        "business process",
        "process improvement",
        "information modeller",
        "data governance",
    ),
    "communications manager": (
        "comms",
        "communications",
        "engagement manager",
        "business change manager",
        "change manager",
        "stakeholder engagement",
    ),
    "content designer": ("content design", "copywriter", "content strategist", "technical writer"),
    "data architect": ("data modeller", "data modelling", "information architect"),
    "data engineer": ("etl", "data pipeline", "data warehouse", "big data"),
    "data scientist": ("data science", "machine learning", "ml", "ai", "statistician"),
    "delivery manager": (
        "scrum master",
        "scrummaster",
        "project manager",
        "project delivery",
        "delivery lead",
        "pm",
        "iteration manager",
        "risk manager",
    ),
    "designer": (
        "ux",
        "ui",
        "user experience",
        "user interface",
        "interaction designer",
        "service designer",
        "visual designer",
        "graphic designer",
    ),
    "developer": (
        "programmer",
        "software engineer",
        "software developer",
        "dev",
        "coder",
        "front end",
        "frontend",
        "back end",
        "backend",
        "full stack",
        "java",
        "python",
        ".net",
        "php",
        "ruby",
        "javascript",
        "data migration",
    ),
    "performance analyst": (
        "web analytics",
        "analytics",
        "performance analysis",
        "kpi",
        "mi analyst",
    ),
    "portfolio manager": ("portfolio", "pmo", "portfolio office", "programme controls"),
    "product manager": ("product owner", "po", "product lead", "product management"),
    "programme manager": (
        "programme director",
        "programme lead",
        "project coordinator",
        "project co ordinator",
        "project support",
        "planner",
        "pmo",
    ),
    "quality assurance analyst": (
        "qa",
        "tester",
        "test analyst",
        "test engineer",
        "test manager",
        "testing",
        "automation tester",
        "quality assurer",
        "sdet",
    ),
    "cyber security consultant": (
        "security architect",
        "cyber security",
        "cybersecurity",
        "information security",
        "infosec",
        "security assurance",
        "penetration tester",
        "ia",
        "information assurance",
        "security operations",
        "soc",
    ),
    "service manager": ("service owner", "service lead", "service delivery manager"),
    "technical architect": (
        "architect",
        "solution architect",
        "solutions architect",
        "enterprise architect",
        "infrastructure architect",
        "network architect",
        "integration architect",
        "design authority",
        "technical lead",
        "tech lead",
        "infrastructure specialist",
        "network engineer",
    ),
    "user researcher": ("user research", "ux researcher", "usability", "user testing"),
    "web operations engineer": (
        "devops",
        "dev ops",
        "webops",
        "web ops",
        "sre",
        "site reliability",
        "sysadmin",
        "system administrator",
        "systems administrator",
        "system engineer",
        "systems engineer",
        "unix",
        "linux",
        "infrastructure engineer",
        "platform engineer",
        "cloud engineer",
        "support engineer",
        "dba",
        "database administrator",
    ),
}

_WORD = re.compile(r"[a-z0-9.]+")


@lru_cache(maxsize=1)
def _alias_table() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for canonical, aliases in ROLE_ALIASES.items():
        for alias in (canonical, *aliases):
            table[tuple(alias.split())] = canonical
    return table


def _longest_alias() -> int:
    return max(len(k) for k in _alias_table())


def expansion(text: str, max_words: int = 60) -> str:
    """Canonical names for the aliases in `text` (longest match first, each name once)."""
    words = [w.strip(".") or w for w in _WORD.findall(text.casefold()[:2000])]
    words = [w for w in words if w]
    table = _alias_table()
    longest = _longest_alias()
    found: list[str] = []
    pos = 0
    while pos < len(words) and len(words) <= max_words:
        for size in range(min(longest, len(words) - pos), 0, -1):
            canonical = table.get(tuple(words[pos : pos + size]))
            if canonical is not None:
                if canonical not in found:
                    found.append(canonical)
                pos += size
                break
        else:
            pos += 1
    return " ".join(found)
