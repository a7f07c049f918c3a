from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "ndx.reporting"
    label = "reporting"
    verbose_name = "Reporting and open data"
    demo_order = 60
