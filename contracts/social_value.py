"""The model social value criteria (the playbook's library): four themes, each with example
questions for a further competition and a guide to scoring answers from 0 to 100. Further
competitions pick themes from here (buying); each contract keeps the weight given to social
value and the winning response's score per theme; reporting and OCDS read them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    questions: tuple[str, ...]
    scoring: str


SCORING = (
    "0: no answer. 25: a commitment without detail. 50: a credible plan. 75: a measurable plan "
    "with evidence of doing it before. 100: measurable, evidenced and going beyond the contract."
)

THEMES: tuple[Theme, ...] = (
    Theme(
        "economic_inequality",
        "Tackling economic inequality",
        (
            "How many new jobs, apprenticeships or training places will you create for local "
            "people during the contract?",
            "How will you open your supply chain to SMEs and VCSEs?",
        ),
        SCORING,
    ),
    Theme(
        "climate_change",
        "Fighting climate change",
        (
            "What is your carbon reduction plan for this contract, and your net zero date?",
            "How will you reduce the energy used to host and run the service?",
        ),
        SCORING,
    ),
    Theme(
        "equal_opportunity",
        "Equal opportunity",
        (
            "How will you reduce disability employment and pay gaps in the contract workforce?",
            "How will you make the service accessible to everyone who needs it?",
        ),
        SCORING,
    ),
    Theme(
        "wellbeing",
        "Wellbeing",
        (
            "How will the contract improve the health and wellbeing of the people who use it "
            "and of your staff?",
            "How will you support community cohesion where the service is delivered?",
        ),
        SCORING,
    ),
)
BY_KEY = {theme.key: theme for theme in THEMES}
CHOICES = [(theme.key, theme.name) for theme in THEMES]


def theme_names(keys) -> list[str]:
    return [BY_KEY[key].name for key in keys if key in BY_KEY]
