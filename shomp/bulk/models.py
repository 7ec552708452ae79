"""A bulk operation or CSV import: what was asked, the plan shown before anything is written,
and what happened. The row is also the seller's record of it (the organization's audit log
gets one line per organization when it is applied)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BulkJob(models.Model):
    class Kind(models.TextChoices):
        OPERATION = "operation", "Bulk edit"
        IMPORT = "import", "CSV import"

    class Status(models.TextChoices):
        PREVIEW = "preview", "Preview"
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Applying"
        DONE = "done", "Applied"
        FAILED = "failed", "Not applied"

    uuid = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # For an operation: products or variants, and the action (price_percent, publish, ...).
    target = models.CharField(max_length=10, blank=True)
    action = models.CharField(max_length=20)
    params = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=300)
    # The stores the plan touches (ids): the door is asked again for each before applying.
    store_ids = models.JSONField(default=list)
    # The plan: one dict per row (plans.Change.as_dict), shown as the preview and applied as is.
    changes = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)  # rows that change
    errors = models.PositiveIntegerField(default=0)  # rows refused: nothing can be applied
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    phase = models.CharField(max_length=20, blank=True)  # checking, writing (while running)
    processed = models.PositiveIntegerField(default=0)  # rows checked so far (the progress bar)
    message = models.CharField(max_length=500, blank=True)  # why it was not applied
    # The worker's last sign of life while applying (tasks.fail_stalled_jobs reads it).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="bulk_job_recent")]

    def __str__(self) -> str:
        return self.summary

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(100 * self.processed / self.total)) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
