"""A buyer's requirement, asked one question a page, checked, then submitted.

Drafts are saved after every question and can be resumed; only the buyer's organisation sees
them (Requirement.objects.visible_to). Submitted requirements are read-only: "Copy as a new
draft" starts again from one.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from catalogue.models import Certification, HostingLocation
from catalogue.templatetags.catalogue_tags import money
from contracts.models import Contract
from ndx.accounts.decorators import member_required
from ndx.accounts.forms import apply_validation_error
from ndx.plain_words import count_noun

from .models import Requirement
from .requirement_forms import STEP_FORMS, TitleForm, step_initial
from .services import requirements as requirement_services

buyer_required = member_required(kind="buyer")

STEPS = requirement_services.REQUIREMENT_STEPS
# Rows of the check-answers page that must be answered before submitting.
REQUIRED_ROWS = {"Short name", "Problem or outcome wanted", "Who will use it", "When it is needed"}


def _requirement(request, pk: int) -> Requirement:
    return get_object_or_404(
        Requirement.objects.visible_to(request.user).select_related("lot__framework"), pk=pk
    )


def _step_url(requirement: Requirement, step: str, *, returning: bool = False) -> str:
    if step == "check":
        return reverse("buying:requirement_check", args=[requirement.pk])
    url = reverse("buying:requirement_step", args=[requirement.pk, step])
    return f"{url}?return=check" if returning else url


def _field_step(field: str) -> str | None:
    if field == "framework":
        return "preference"
    for step, fields in requirement_services.REQUIREMENT_STEP_FIELDS.items():
        if field in fields:
            return step
    return None


# --- what the answers look like --------------------------------------------------------------


def _paragraphs(text: str):
    return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 (linebreaks escapes the text)


def _bullets(items: list[str]):
    if not items:
        return None
    return format_html(
        '<ul class="govuk-list govuk-list--bullet">{}</ul>',
        format_html_join("", "<li>{}</li>", ((item,) for item in items)),
    )


def _labels(values: list[str], choices) -> list[str]:
    names = dict(choices)
    return [names.get(v, v) for v in values]


def _budget(requirement: Requirement) -> str | None:
    low, high = requirement.budget_min, requirement.budget_max
    text = None
    if low is not None and high is not None:
        text = f"{money(low)} to {money(high)}"
    elif low is not None:
        text = f"From {money(low)}"
    elif high is not None:
        text = f"Up to {money(high)}"
    if text and requirement.budget_basis:
        text += " a year" if requirement.budget_basis == "year" else " for the whole contract"
    if requirement.contract_months:
        term = count_noun(requirement.contract_months, "month")
        text = f"{text}, over {term}" if text else f"A contract of {term}"
    return text


def _preference(requirement: Requirement) -> str:
    if requirement.lot is None:
        return "No preference"
    return f"{requirement.lot.framework.name}: {requirement.lot.name}"


def summary_rows(requirement: Requirement, *, change: bool) -> list[dict]:
    """GOV.UK summary-list rows for every answer; with "Change" links for a draft."""
    r = requirement
    hosting = _labels(r.hosting_locations, HostingLocation.choices)
    certifications = _labels(r.certifications, Certification.choices)
    answers = [
        ("title", "Short name", r.title or None, "short name"),
        ("problem", "Problem or outcome wanted", _paragraphs(r.problem) if r.problem else None),
        (
            "users",
            "Who will use it",
            _paragraphs(r.users_description) if r.users_description else None,
        ),
        ("users", "Number of users", f"{r.user_count:,}" if r.user_count else None),
        ("needs", "Must-haves", _bullets(r.must_haves)),
        ("needs", "Nice-to-haves", _bullets(r.nice_to_haves)),
        ("budget", "Budget", _budget(r)),
        ("timescale", "When it is needed", r.get_timescale_display() or None),
        ("location", "Location", r.location or None),
        ("security", "Acceptable data hosting", _bullets(hosting)),
        ("security", "Required certifications", _bullets(certifications)),
        ("preference", "Framework or lot", _preference(r)),
    ]
    rows = []
    for step, key, value, *hidden in answers:
        hidden_text = hidden[0] if hidden else key.lower()
        missing_required = value is None and key in REQUIRED_ROWS
        if value is None:
            if change and missing_required:
                value = format_html(
                    '<a class="govuk-link" href="{}">Enter {}</a>',
                    _step_url(r, step, returning=True),
                    hidden_text,
                )
            else:
                value = "Not given"
        row = {"key": {"text": key}, "value": {"html": format_html("{}", value)}}
        if change and not missing_required:  # a missing answer's own link is the action
            row["actions"] = {
                "items": [
                    {
                        "href": _step_url(r, step, returning=True),
                        "text": "Change",
                        "visuallyHiddenText": hidden_text,
                    }
                ]
            }
        rows.append(row)
    return rows


# --- pages ------------------------------------------------------------------------------------


@buyer_required
def requirements(request):
    # visible_to lets staff see every organisation's; this list is only the buyer's own.
    qs = Requirement.objects.visible_to(request.user).filter(organisation=request.user.organisation)
    drafts = [
        (r, _step_url(r, requirement_services.requirement_resume_step(r))) for r in qs.drafts()
    ]
    submitted = qs.filter(status=Requirement.Status.SUBMITTED).order_by("-submitted_at", "-id")
    return render(
        request,
        "buying/requirements/list.html",
        {"drafts": drafts, "submitted": submitted},
    )


@buyer_required
def requirement_start(request):
    form = TitleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            requirement = requirement_services.requirement_start(
                actor=request.user, title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect(_step_url(requirement, STEPS[1]))
    return render(
        request,
        "buying/requirements/start.html",
        {"form": form, "back_url": reverse("buying:requirements")},
    )


@buyer_required
def requirement_step(request, pk: int, step: str):
    if step not in STEP_FORMS:
        raise Http404("No such question")
    requirement = _requirement(request, pk)
    if not requirement.is_draft:
        messages.info(request, "This requirement has been submitted, so it cannot be changed.")
        return redirect("buying:requirement_detail", pk=requirement.pk)
    returning = request.GET.get("return") == "check"
    index = STEPS.index(step)
    form_class = STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                requirement_services.requirement_answer(
                    actor=request.user, requirement=requirement, step=step, data=form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                if "save_later" in request.POST:
                    messages.success(
                        request,
                        f"Your answers to “{requirement.title}” have been saved. "
                        "You can continue from where you left off at any time.",
                    )
                    return redirect("buying:requirements")
                if returning or index + 1 == len(STEPS):
                    return redirect("buying:requirement_check", pk=requirement.pk)
                return redirect(_step_url(requirement, STEPS[index + 1]))
    else:
        form = form_class(initial=step_initial(step, requirement))
    if returning:
        back_url = _step_url(requirement, "check")
    elif index == 0:
        back_url = reverse("buying:requirements")
    else:
        back_url = _step_url(requirement, STEPS[index - 1])
    return render(
        request,
        f"buying/requirements/step_{step}.html",
        {
            "requirement": requirement,
            "form": form,
            "step": step,
            "back_url": back_url,
            "question_number": index,
            "question_count": len(STEPS) - 1,
        },
    )


class SubmitForm(forms.Form):
    """No fields: carries the submit errors so the page title and error summary show them."""


@buyer_required
def requirement_check(request, pk: int):
    requirement = _requirement(request, pk)
    if not requirement.is_draft:
        return redirect("buying:requirement_detail", pk=requirement.pk)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            requirement_services.requirement_submit(actor=request.user, requirement=requirement)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            for field, messages_ in getattr(exc, "message_dict", {"": exc.messages}).items():
                step = _field_step(field)
                for message in messages_:
                    item = {"text": message}
                    if step:
                        item["href"] = _step_url(requirement, step, returning=True)
                    errors.append(item)
        else:
            messages.success(request, f"Your requirement “{requirement.title}” has been submitted")
            return redirect("matching:results", pk=requirement.pk)
    return render(
        request,
        "buying/requirements/check.html",
        {
            "requirement": requirement,
            "form": form,
            "errors": errors,
            "rows": summary_rows(requirement, change=True),
            "back_url": _step_url(requirement, STEPS[-1]),
        },
    )


@buyer_required
def requirement_detail(request, pk: int):
    requirement = _requirement(request, pk)
    context = {
        "requirement": requirement,
        "rows": summary_rows(requirement, change=False),
        "show_matches": not requirement.is_draft,
        "latest_run": requirement.match_runs.first(),
    }
    if requirement.is_draft:
        context["continue_url"] = _step_url(
            requirement, requirement_services.requirement_resume_step(requirement)
        )
    return render(request, "buying/requirements/detail.html", context)


@buyer_required
def requirement_delete(request, pk: int):
    """GET asks "are you sure?"; POST deletes the draft."""
    requirement = _requirement(request, pk)
    if not requirement.is_draft:
        messages.error(request, "Submitted requirements cannot be deleted.")
        return redirect("buying:requirement_detail", pk=requirement.pk)
    if request.method == "POST":
        title = requirement.title
        requirement_services.requirement_delete(actor=request.user, requirement=requirement)
        messages.success(request, f"The draft “{title}” has been deleted")
        return redirect("buying:requirements")
    return render(request, "buying/requirements/delete.html", {"requirement": requirement})


@require_POST
@buyer_required
def requirement_copy(request, pk: int):
    requirement = _requirement(request, pk)
    copy = requirement_services.requirement_copy(actor=request.user, requirement=requirement)
    messages.success(
        request,
        f"“{copy.title}” is a new draft with the same answers. Check and change them, "
        "then submit it.",
    )
    return redirect("buying:requirement_check", pk=copy.pk)


@require_POST
@buyer_required
def buy_again(request, contract_pk: int):
    """Start a requirement pre-filled from one of the organisation's contracts."""
    contract = get_object_or_404(Contract.objects.held_by(request.user), pk=contract_pk)
    copy = requirement_services.requirement_from_contract(actor=request.user, contract=contract)
    messages.success(
        request,
        f"“{copy.title}” is a new draft filled in from contract {contract.reference}. Check and "
        "change the answers, then submit it.",
    )
    return redirect("buying:requirement_check", pk=copy.pk)
