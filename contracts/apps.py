from django.apps import AppConfig


class ContractsConfig(AppConfig):
    """Call-off contracts: what a buyer organisation bought, from whom, at which price. Awards
    (in buying) create them; reviews and reporting read them."""

    name = "contracts"
    # After buying's awards (30), before reviews (50): contracts in every state of their life.
    demo_order = 35
    # Contract moved here from buying (same table, rows and ids): restore_data reads old backups.
    moved_models = {"buying.contract": "contracts.contract"}
