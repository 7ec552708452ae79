from django.db import models


class PeriodicTaskRun(models.Model):
    """When a periodic task (core.periodic) was last enqueued: the row every process locks to
    decide that it is due, so it is enqueued once however many schedulers run."""

    name = models.CharField(max_length=200, primary_key=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
