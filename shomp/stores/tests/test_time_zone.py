"""A store's time zone: set on the settings page, refused when it isn't a real zone."""

import pytest
from django.urls import reverse

from shomp.stores.models import DEFAULT_TIME_ZONE
from shomp.stores.tests.factories import StoreFactory


@pytest.fixture
def store():
    return StoreFactory()


@pytest.fixture
def settings_page(client, store):
    client.force_login(store.owner)
    return reverse("stores:edit")


def _post(client, url, store, **extra):
    data = {"name": store.name, "slug": store.slug, "description": "", "review_policy": store.review_policy}
    data.update(extra)
    return client.post(url, data)


@pytest.mark.django_db
def test_a_new_store_counts_its_days_in_utc(store):
    assert store.time_zone == DEFAULT_TIME_ZONE


@pytest.mark.django_db
def test_the_owner_sets_the_time_zone(client, store, settings_page):
    response = _post(client, settings_page, store, time_zone="Europe/Berlin")
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.time_zone == "Europe/Berlin"
    assert str(store.tzinfo) == "Europe/Berlin"


@pytest.mark.django_db
def test_an_unknown_zone_is_refused_next_to_the_field(client, store, settings_page):
    response = _post(client, settings_page, store, time_zone="Mars/Olympus_Mons")
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    store.refresh_from_db()
    assert store.time_zone == DEFAULT_TIME_ZONE


@pytest.mark.django_db
def test_a_form_without_the_field_keeps_the_zone(client, store, settings_page):
    store.time_zone = "Asia/Tokyo"
    store.save()
    _post(client, settings_page, store)
    store.refresh_from_db()
    assert store.time_zone == "Asia/Tokyo"
