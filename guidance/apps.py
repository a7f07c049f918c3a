from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "Buying playbook"
    # After buying (30): the demo section adds guidance pages, contracts for price spreads and
    # a cluster of similar requirements, before matching (40) builds its index.
    demo_order = 35
