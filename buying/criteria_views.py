"""Model social value criteria: choose themes for a draft competition, score responses by theme."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from contracts.social_value import BY_KEY, CHOICES, THEMES
from ndx.accounts.decorators import member_required
from ndx.accounts.forms import apply_validation_error

from .models import CompetitionResponse, FurtherCompetition
from .services import criteria

buyer_required = member_required(kind="buyer")


class ThemesForm(forms.Form):
    themes = forms.MultipleChoiceField(
        label="Which themes should suppliers answer on?",
        choices=CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one theme from the list"},
    )
    note = forms.CharField(
        label="Anything to add in your own words (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def theme_scores_form(competition: FurtherCompetition, data=None, initial=None) -> forms.Form:
    fields = {}
    for key in competition.social_value_themes:
        if key in BY_KEY:
            # Text, not type=number: what was typed is shown again as typed (valid HTML);
            # the service checks it is a whole number from 0 to 100.
            fields[key] = forms.CharField(
                label=BY_KEY[key].name,
                max_length=20,
                help_text="From 0 to 100",
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}
                ),
                error_messages={"required": f"Enter a score for {BY_KEY[key].name.lower()}"},
            )
    form_class = type("ThemeScoresForm", (forms.Form,), fields)
    return form_class(data=data, initial=initial)


def _competition(request, pk: int) -> FurtherCompetition:
    return get_object_or_404(FurtherCompetition.objects.visible_to(request.user), pk=pk)


@buyer_required
def competition_themes(request, pk: int):
    competition = _competition(request, pk)
    if not competition.can_publish:
        messages.info(request, "The criteria of a competition that has been sent cannot change.")
        return redirect("buying:competition", pk=competition.pk)
    initial = {"themes": competition.social_value_themes}
    form = ThemesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            criteria.competition_themes_set(
                actor=request.user,
                competition=competition,
                themes=form.cleaned_data["themes"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Model social value criteria chosen")
            return redirect("buying:competition", pk=competition.pk)
    context = {"competition": competition, "form": form, "themes": THEMES}
    return render(request, "buying/awards/competition_themes.html", context)


@buyer_required
def response_themes(request, pk: int, response_pk: int):
    competition = _competition(request, pk)
    response = get_object_or_404(
        CompetitionResponse.objects.filter(invitation__competition=competition).select_related(
            "invitation__supplier"
        ),
        pk=response_pk,
    )
    if not competition.past_deadline or not competition.social_value_themes:
        messages.info(request, "There is nothing to score by theme yet.")
        return redirect("buying:competition", pk=competition.pk)
    data = request.POST if request.method == "POST" else None
    form = theme_scores_form(competition, data, initial=response.social_value_theme_scores)
    if request.method == "POST" and form.is_valid():
        try:
            criteria.response_theme_scores_set(
                actor=request.user, response=response, scores=form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Social value scored by theme for {response}")
            return redirect("buying:competition", pk=competition.pk)
    context = {"competition": competition, "response": response, "form": form}
    return render(request, "buying/awards/response_themes.html", context)
