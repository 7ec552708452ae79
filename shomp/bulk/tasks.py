"""Bulk work in the worker: thin, by id, idempotent (services.run_job leaves a job alone once
it is no longer waiting, so a retried task applies nothing twice)."""

from __future__ import annotations

from django.tasks import task

from . import services


@task
def apply_job_task(*, job_id: int) -> str:
    return services.run_job(job_id=job_id).status
