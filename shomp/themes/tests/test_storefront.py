"""The published design reaches the store's own pages (store, product, reviews, announcements)
as one hashed, long-cached text/css file, and no other page; one query at most."""

import pytest
from django.urls import reverse

from shomp.catalog.tests.factories import ProductFactory
from shomp.follows import services as follows_services
from shomp.stores.tests.factories import StoreFactory
from shomp.themes import services
from shomp.themes.models import StoreSettings
from shomp.themes.sanitizer import PROTECTED_GUARD

pytestmark = pytest.mark.django_db

HOSTILE_MARK = "brand-red-9c2f1e"


def _published(store, css=".product-card { border-color: #9c2f1e }"):
    services.apply_theme(store=store, theme_key="midnight")
    services.customize_store(store=store, custom_css=css)
    return services.publish(store=store)


def _storefront_urls(store, product):
    announcement = follows_services.send_announcement(
        store=store, author=store.owner, kind="update", title="Kiln opening"
    )
    return [
        store.get_absolute_url(),
        product.get_absolute_url(),
        reverse("reviews:store", kwargs={"store_slug": store.slug}),
        reverse("reviews:product", kwargs={"store_slug": store.slug, "product_ref": product.slug}),
        reverse("follows:announcement", kwargs={"announcement_uuid": announcement.uuid}),
    ]


def test_every_storefront_page_links_the_published_sheet_inside_the_store_container(client):
    product = ProductFactory()
    store = product.store
    settings = _published(store)
    sheet = reverse("themes:stylesheet", kwargs={"store_id": store.pk, "digest": settings.published_hash})
    for url in _storefront_urls(store, product):
        html = client.get(url).content.decode()
        assert f'<link rel="stylesheet" href="{sheet}" data-store-theme>' in html, url
        assert 'id="store-theme"' in html and "store-cols-4" in html, url  # midnight's layout


def test_the_sheet_is_served_as_css_with_long_cache_and_nosniff_and_a_new_address_per_publish(client):
    store = StoreFactory()
    first = _published(store)
    url = reverse("themes:stylesheet", kwargs={"store_id": store.pk, "digest": first.published_hash})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    body = response.content.decode()
    assert f".store-theme .product-card{PROTECTED_GUARD} {{" in body and "#9c2f1e" in body
    assert "--bs-body-bg: #111827;" in body  # the theme's variables over Bootstrap's
    assert "/static/themes/fonts/space-grotesk/space-grotesk-latin-700-normal.woff2" in body

    services.customize_store(store=store, colors={"primary": "#ff0000"})
    second = services.publish(store=store)
    assert second.published_hash != first.published_hash
    assert client.get(url).status_code == 404  # the old address is gone
    assert (
        "#ff0000"
        in client.get(
            reverse("themes:stylesheet", kwargs={"store_id": store.pk, "digest": second.published_hash})
        ).content.decode()
    )
    other = StoreFactory()
    assert (
        client.get(
            reverse("themes:stylesheet", kwargs={"store_id": other.pk, "digest": second.published_hash})
        ).status_code
        == 404
    )


def test_a_draft_is_not_what_buyers_get(client):
    store = StoreFactory()
    services.customize_store(store=store, custom_css=".a { color: #abcdef }")
    html = client.get(store.get_absolute_url()).content.decode()
    assert "data-store-theme" not in html  # nothing published yet
    settings = _published(store)
    services.customize_store(store=store, custom_css=".a { color: #fedcba }")
    body = StoreSettings.objects.get(pk=settings.pk).published_css
    assert "#9c2f1e" in body and "#fedcba" not in body


def _assert_unthemed(response, url, *, storefront=False):
    assert response.status_code == 200, (url, response.status_code)
    body = response.content.decode()
    assert "data-store-theme" not in body and "/themes/" not in body, url  # no sheet linked
    if not storefront:  # another store's own pages have their (unstyled) container
        assert 'id="store-theme"' not in body and "store-theme" not in body, url
    assert "--store-" not in body and "--bs-body-bg:" not in body and "#9c2f1e" not in body, url  # no variables


def test_no_other_page_gets_a_store_sheet(client):
    product = ProductFactory()
    store = product.store
    _published(store)
    other = ProductFactory()  # another store, nothing published
    buyer = StoreFactory().owner
    client.force_login(buyer)
    client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": 1})
    contact = reverse("messaging:contact", kwargs={"store_slug": store.slug})
    _assert_unthemed(client.get(contact), contact)  # contacting the themed store
    sent = client.post(contact, {"type": "general", "subject": "Kiln question", "content": "Do you ship?"})
    assert sent.status_code == 302, sent.content.decode()[:500]
    thread = sent["Location"]
    pages = [
        reverse("catalog:home"),
        reverse("catalog:search") + "?q=Product",
        reverse("orders:cart"),
        reverse("orders:checkout"),
        reverse("stores:list"),
        # Account pages
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("orders:list"),
        # Messages (the thread with the themed store too) and notifications
        reverse("messaging:inbox"),
        thread,
        reverse("notifications:centre"),
        reverse("notifications:preferences"),
    ]
    for url in pages:
        _assert_unthemed(client.get(url), url)
    for url in (other.store.get_absolute_url(), other.get_absolute_url()):
        _assert_unthemed(client.get(url), url, storefront=True)
    client.force_login(store.owner)
    for url in (
        reverse("orders:dashboard_home"),
        reverse("themes:customize"),
        reverse("themes:themes"),
        reverse("themes:assets"),
        reverse("catalog:dashboard_products"),
        reverse("messaging:dashboard_inbox"),
        thread,  # the seller's side of the thread
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "data-store-theme" not in body and 'id="store-theme"' not in body and "--store-" not in body, url
    admin = StoreFactory().owner
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    for url in (
        reverse("admin:index"),
        reverse("admin:stores_store_changelist"),
        reverse("admin:stores_store_change", args=[store.pk]),
    ):
        _assert_unthemed(client.get(url), url)


@pytest.mark.parametrize("published", [False, True])
def test_storefront_pages_spend_at_most_one_query_on_the_design(client, django_assert_max_num_queries, published):
    product = ProductFactory()
    store = product.store
    for n in range(50):
        ProductFactory(store=store, slug=f"more-{n}")
    urls = _storefront_urls(store, product)
    baseline = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls:  # the same pages with the design's query left out
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        baseline[url] = len([q for q in queries.captured_queries if "themes_storesettings" not in q["sql"]])
    if published:
        _published(store)
    for url in urls:
        with django_assert_max_num_queries(baseline[url] + 1):
            assert client.get(url).status_code == 200
