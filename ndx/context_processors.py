"""Navigation that depends on who is signed in."""

from django.urls import reverse

from ndx.notifications.models import Notification


def notifications_link_text(unread: int) -> str:
    """The header link: the count is in the link text, so screen readers hear it too."""
    return f"Notifications ({unread} unread)" if unread else "Notifications"


def navigation(request):
    user = getattr(request, "user", None)
    path = request.path
    items: list[tuple[str, str]] = [
        ("Home", reverse("home")),
        ("Find deals", reverse("catalogue:search")),
    ]
    if user is not None and user.is_authenticated:
        if user.is_buyer:
            items.append(("Requirements", reverse("buying:requirements")))
            items.append(("Saved searches", reverse("buying:saved_searches")))
            items.append(("Contracts", reverse("buying:contracts")))
            items.append(("Reviews", reverse("reviews:mine")))
        if user.is_supplier:
            items.append(("Supplier dashboard", reverse("suppliers:dashboard")))
            items.append(("Reviews", reverse("reviews:supplier_reviews")))
        unread = Notification.objects.for_recipient(user).unread().count()
        items.append((notifications_link_text(unread), reverse("notifications:list")))
        items.append(("Your account", reverse("accounts:dashboard")))
        if user.organisation is not None:
            items.append(("Your organisation", reverse("accounts:organisation")))
        if user.is_staff:
            items.append(("Staff", reverse("accounts:staff_home")))
        items.append(("Sign out", reverse("account_logout")))
    else:
        items.append(("Sign in", reverse("account_login")))
        items.append(("Create an account", reverse("account_signup")))
    home = reverse("home")
    # The one item whose URL is the longest prefix of this page is the current one.
    matches = [
        href for _, href in items if path == href or (href != home and path.startswith(href))
    ]
    current = max(matches, key=len) if matches else None
    nav = [{"text": text, "href": href, "active": href == current} for text, href in items]
    return {
        "service_navigation": {
            "serviceName": "National Digital Exchange",
            "serviceUrl": home,
            "navigation": nav,
        }
    }


def site_chrome(request):
    """Phase banner and footer, the same on every page."""
    return {
        "phase_banner": {
            "tag": {"text": "Beta"},
            "html": 'This is a new service. Tell us what you think in our <a class="govuk-link" '
            f'href="{reverse("accessibility")}#contact">feedback and contact details</a>.',
        },
        "footer": {
            "meta": {
                "visuallyHiddenTitle": "Support links",
                "items": [
                    {"href": reverse("accessibility"), "text": "Accessibility statement"},
                    {"href": reverse("cookies"), "text": "Cookies"},
                    {"href": reverse("privacy"), "text": "Privacy"},
                    {"href": reverse("healthz"), "text": "Service status"},
                    {"href": reverse("reporting:open_data"), "text": "Open data"},
                ],
            }
        },
    }
