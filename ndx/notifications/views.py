"""Your notifications, and how you want to be emailed about them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ndx.accounts.forms import apply_validation_error

from . import services
from .forms import PreferenceForm
from .models import Notification, NotificationPreference


@login_required
def notification_list(request):
    rows = Notification.objects.for_recipient(request.user).unread_first()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    unread = Notification.objects.for_recipient(request.user).unread().count()
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread, "choice": _choice_label(request.user)},
    )


EMAIL_SUMMARY = {
    NotificationPreference.Email.IMMEDIATE: "We email you about each notification at once.",
    NotificationPreference.Email.DAILY: "We email you a summary once a day.",
    NotificationPreference.Email.OFF: "We do not email you about notifications, only about the "
    "security of your account.",
}


def _choice_label(user) -> str:
    return EMAIL_SUMMARY[NotificationPreference.email_choice_for(user)]


@require_POST
@login_required
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_read(actor=request.user, notification=notification)
    messages.success(request, f"Marked as read: {notification.title}")
    return redirect("notifications:list")


@require_POST
@login_required
def notifications_read_all(request):
    count = services.notifications_read_all(actor=request.user)
    noun = "notification" if count == 1 else "notifications"
    messages.success(request, f"{count} {noun} marked as read")
    return redirect("notifications:list")


@login_required
def preference(request):
    current = NotificationPreference.email_choice_for(request.user)
    form = PreferenceForm(request.POST or None, initial={"email": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preference_set(
                actor=request.user, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Your email settings have been saved")
            return redirect("notifications:list")
    return render(request, "notifications/settings.html", {"form": form})
