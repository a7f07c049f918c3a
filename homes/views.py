"""The task homes: /home/ sends each person to their own work; /staff/ is the staff home."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ndx.accounts.decorators import staff_required

from .buyer import buyer_home
from .queues import approvals_for, staff_queues
from .supplier import supplier_home


@login_required
@require_GET
def home(request):
    """Where signing in lands: the buyer's or the supplier's work, or the staff home."""
    user = request.user
    organisation = user.organisation
    if organisation is not None and organisation.kind == "buyer":
        context = {"organisation": organisation, **buyer_home(organisation)}
        return render(request, "homes/buyer.html", context)
    if organisation is not None and organisation.kind == "supplier":
        context = {"organisation": organisation, **supplier_home(organisation)}
        return render(request, "homes/supplier.html", context)
    if user.is_staff:
        # The staff middleware asks for two-factor on /staff/.
        return redirect("homes:staff_home")
    return render(request, "homes/nobody.html")


@staff_required
@require_GET
def staff_home(request):
    queues = staff_queues()
    past_due = [(queue, item) for queue in queues for item in queue.ordered if item.past_due]
    context = {"queues": queues, "past_due": past_due, "approvals": approvals_for(request.user)}
    return render(request, "homes/staff.html", context)
