"""Site-wide models: the task outbox."""

from django.db import models


class OutboxTask(models.Model):
    """A background task that could not be handed to the broker (Redis down). It is sent
    again, in order, once the broker answers: nothing queued is lost."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
