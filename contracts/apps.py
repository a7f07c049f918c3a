from django.apps import AppConfig


class ContractsConfig(AppConfig):
    """Call-off contracts: what a buyer organisation bought, from whom, at which price. Awards
    (in buying) create them; reviews and reporting read them."""

    name = "contracts"
