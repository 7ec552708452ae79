"""messaging.0003 (assignment, shared replies) keeps every saved reply its store's, as it was."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shomp.accounts.tests.factories import UserFactory
from shomp.stores.tests.factories import StoreFactory

BEFORE = [("messaging", "0002_attachments_processed_by_the_worker")]
AFTER = [("messaging", "0003_assignment_and_shared_replies")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_every_reply_stays_its_stores_with_its_title_and_content(back_to_latest):
    store = StoreFactory()
    other = StoreFactory()
    author = UserFactory()
    old = _migrate(BEFORE)
    OldReply = old.get_model("messaging", "SavedReply")
    rows = [
        (store.pk, "Shipping", "Two days."),
        (store.pk, "Returns", "30 days."),
        (other.pk, "Shipping", "Three days."),
        (store.pk, "shipping", "Made in the admin: only the case differs."),
    ]
    for store_id, title, content in rows:
        OldReply.objects.create(store_id=store_id, title=title, content=content, created_by_id=author.pk)

    new = _migrate(AFTER)
    Reply = new.get_model("messaging", "SavedReply")
    kept = sorted(Reply.objects.values_list("store_id", "title", "content", "organization_id", "created_by_id"))
    assert kept == sorted(
        [
            (store.pk, "Shipping", "Two days.", None, author.pk),
            (store.pk, "Returns", "30 days.", None, author.pk),
            (other.pk, "Shipping", "Three days.", None, author.pk),
            (store.pk, "shipping (2)", "Made in the admin: only the case differs.", None, author.pk),
        ]
    )
    _migrate(BEFORE)  # and back: nothing lost
    assert OldReply.objects.count() == 4
