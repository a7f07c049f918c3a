"""The Celery app. `celery -A ndx worker` and `celery -A ndx beat` start the real ones.

Without REDIS_URL the settings make tasks run in-process (eager), so nothing else is needed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ndx.settings")

app = Celery("ndx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
