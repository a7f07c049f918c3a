from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ndx.audit"
    label = "audit"
