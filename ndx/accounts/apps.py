from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ndx.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"
    demo_order = 10
