from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ndx.notifications"
    label = "notifications"
    verbose_name = "Notifications"
