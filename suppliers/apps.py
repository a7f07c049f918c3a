from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    demo_order = 25  # after catalogue's frameworks and lots (20), before buying (30)
