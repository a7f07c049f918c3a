from django.apps import AppConfig


class HomesConfig(AppConfig):
    """Task homes: where each role lands after signing in (buyer, supplier, staff). A home
    reads several apps, so it sits at the top of the layers and nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "homes"
    verbose_name = "Task homes"
    demo_order = 35  # the demo market: after buying (30), before matching (40) and reviews (50)
