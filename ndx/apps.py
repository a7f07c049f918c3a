from django.apps import AppConfig


class NdxConfig(AppConfig):
    name = "ndx"
    verbose_name = "NDX site"

    def ready(self):
        from django.urls import register_converter

        from .converters import IdConverter

        # <id:pk> in every app's urls.py: an out-of-range id is a 404, never a 500.
        register_converter(IdConverter, "id")
