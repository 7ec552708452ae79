"""A large operation through the real task backend and worker: queued by Apply, run by
`db_worker`, with its progress saved on the way."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from shomp.bulk import selectors, services
from shomp.bulk.models import BulkJob
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory


@pytest.mark.django_db(transaction=True)
def test_apply_above_the_threshold_queues_the_worker_which_applies_it(settings, monkeypatch, client):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES},
    }
    monkeypatch.setattr(services, "WORKER_THRESHOLD", 3)
    store = StoreFactory()
    for n in range(5):
        ProductFactory(store=store, title=f"P{n}", price=Decimal("10.00"))
    job = services.prepare_operation(
        user=store.owner,
        target="products",
        action="price_percent",
        value="10",
        filters=selectors.Filters(store_ids=(store.pk,)),
        ids=None,
    )
    client.force_login(store.owner)
    response = client.post(f"/dashboard/bulk/jobs/{job.uuid}/apply/", follow=True)
    assert b"Waiting for the worker" in response.content and b"<progress" in response.content
    assert set(Product.objects.values_list("price", flat=True)) == {Decimal("10.00")}

    call_command("db_worker", "--batch", "--no-reload", "--interval", "0", verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.processed, job.percent) == (BulkJob.Status.DONE, 5, 100)
    assert set(Product.objects.values_list("price", flat=True)) == {Decimal("11.00")}
    poll = client.get(f"/dashboard/bulk/jobs/{job.uuid}/?poll=1", headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
