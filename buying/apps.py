from django.apps import AppConfig


class BuyingConfig(AppConfig):
    name = "buying"
    demo_order = 30
