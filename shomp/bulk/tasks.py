"""Bulk work in the worker: thin, by id, idempotent (services.run_job leaves a job alone once
it is no longer waiting, so a retried task applies nothing twice)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from shomp.core.periodic import register_periodic

from . import services


@task
def apply_job_task(*, job_id: int) -> str:
    return services.run_job(job_id=job_id).status


@task
def prune_previews() -> int:
    """Forget previews nobody applied within PREVIEW_DAYS (their plans can be megabytes)."""
    return services.prune_previews()


@task
def fail_stalled_jobs() -> int:
    """Give up jobs whose worker died while applying (nothing of them was written)."""
    return services.fail_stalled_jobs()


register_periodic(prune_previews, every=timedelta(hours=6))
register_periodic(fail_stalled_jobs, every=timedelta(minutes=5))
