from django.apps import AppConfig


class NdxConfig(AppConfig):
    name = "ndx"
    verbose_name = "NDX site"
