"""Core's periodic housekeeping. Thin and idempotent."""

from datetime import timedelta

from django.tasks import task

from .periodic import register_periodic
from .uploads.cleanup import delete_unreferenced_files


@task
def delete_unreferenced_files_task() -> int:
    return delete_unreferenced_files()


register_periodic(delete_unreferenced_files_task, every=timedelta(hours=6))
