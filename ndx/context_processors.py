"""Navigation that depends on who is signed in.

Signed in, the header holds one line at 1280 px: the work links for the person's role, the
notifications link with its unread count, and a "Your account" menu (a <details> disclosure,
so it works without JavaScript) holding the account, organisation, email settings and sign out.
The service name links to the home page, so signed-in people need no separate "Home" item.
"""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ndx.notifications.models import Notification


def notifications_link_text(unread: int) -> str:
    """The header link: the count is in the link text, so screen readers hear it too."""
    return f"Notifications ({unread} unread)" if unread else "Notifications"


def _notifications_link_html(unread: int) -> str:
    """Shown as 'Notifications' and a count badge; read out as 'Notifications (3 unread)'."""
    if not unread:
        return "Notifications"
    return format_html(
        # Screen readers read the hidden text; the badge beside it is for the eye only.
        'Notifications<span class="govuk-visually-hidden"> ({} unread)</span>'
        '<span class="ndx-nav-count" aria-hidden="true">{}</span>',
        unread,
        unread,
    )


CURRENT = mark_safe(' aria-current="page"')
ACTIVE_LABEL = mark_safe(
    '<strong class="govuk-service-navigation__active-fallback">Your account</strong>'
)


def _account_menu(user, path: str) -> str:
    links = [("Your account", reverse("accounts:dashboard"))]
    if user.organisation is not None:
        links.append(("Your organisation", reverse("accounts:organisation")))
    if user.is_buyer:
        links.append(("Your spending figures", reverse("reporting:organisation")))
    links.append(("Notification emails", reverse("notifications:settings")))
    links.append(("Sign out", reverse("account_logout")))
    account_paths = [reverse("accounts:dashboard"), "/accounts/"]
    active = any(path.startswith(prefix) for prefix in account_paths)
    # Built here, not with a template: a template rendered from a context processor would come
    # first in every response's list of templates.
    items = format_html_join(
        "",
        '<li><a class="govuk-link govuk-link--no-visited-state" href="{}"{}>{}</a></li>',
        ((href, CURRENT if href == path else "", text) for text, href in links),
    )
    label = ACTIVE_LABEL if active else "Your account"
    return format_html(
        '<li class="govuk-service-navigation__item ndx-account-menu{}">'
        '<details class="ndx-account-menu__details">'
        '<summary class="govuk-service-navigation__link ndx-account-menu__summary">{}</summary>'
        '<ul class="govuk-list ndx-account-menu__list">{}</ul>'
        "</details></li>",
        " govuk-service-navigation__item--active" if active else "",
        label,
        items,
    )


def navigation(request):
    user = getattr(request, "user", None)
    path = request.path
    home = reverse("home")
    items: list[dict] = []
    slots: dict[str, str] = {}
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        items.append({"text": "Home", "href": home})
    items.append({"text": "Find deals", "href": reverse("catalogue:search")})
    if signed_in:
        if user.is_buyer:
            items.append({"text": "Requirements", "href": reverse("buying:requirements")})
            items.append({"text": "Saved searches", "href": reverse("buying:saved_searches")})
            items.append({"text": "Contracts", "href": reverse("contracts:contracts")})
            items.append({"text": "Reviews", "href": reverse("reviews:mine")})
        if user.is_supplier:
            items.append({"text": "Supplier dashboard", "href": reverse("suppliers:dashboard")})
            items.append({"text": "Reviews", "href": reverse("reviews:supplier_reviews")})
        if user.is_staff:
            items.append({"text": "Staff", "href": reverse("homes:staff_home")})
        unread = Notification.objects.for_recipient(user).unread().count()
        items.append(
            {
                "text": notifications_link_text(unread),
                "html": _notifications_link_html(unread),
                "href": reverse("notifications:list"),
            }
        )
        slots["navigationEnd"] = _account_menu(user, path)
    else:
        items.append({"text": "Sign in", "href": reverse("account_login")})
        items.append({"text": "Create an account", "href": reverse("account_signup")})
    # The one item whose URL is the longest prefix of this page is the current one.
    matches = [
        item["href"]
        for item in items
        if path == item["href"] or (item["href"] != home and path.startswith(item["href"]))
    ]
    current = max(matches, key=len) if matches else None
    for item in items:
        item["active"] = item["href"] == current
    navigation = {
        "serviceName": "National Digital Exchange",
        # Signed in, the service name goes to the person's own work.
        "serviceUrl": reverse("homes:home") if signed_in else home,
        "navigation": items,
    }
    if slots:
        navigation["slots"] = slots
    return {"service_navigation": navigation}


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
