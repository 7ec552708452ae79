"""The shared page cache (shomp/core/pagecache.py): visitors get cached public pages,
every change shows on the very next request, nothing personal is stored or shared.

The changes go through the real services, and the bumps run as in production: on commit
(django_capture_on_commit_callbacks), one store at a time (BUMP_AT_ONCE_IN_TESTS off).
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import constants as message_levels
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.analytics import middleware as analytics_middleware
from shomp.catalog import services
from shomp.catalog.models import Product
from shomp.catalog.services import promotions
from shomp.catalog.tests.factories import ProductFactory
from shomp.core import outage, pagecache
from shomp.core.testing.redis import move_outage_clock, needs_redis_server, redis_of_our_own
from shomp.follows.services import follow_store
from shomp.reviews.services import create_review
from shomp.stores.services import update_store
from shomp.stores.tests.factories import StoreFactory
from shomp.themes import services as themes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _per_store_bumps(monkeypatch):
    monkeypatch.setattr(pagecache, "BUMP_AT_ONCE_IN_TESTS", False)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as a committed transaction: its on-commit bumps run."""

    def run(change):
        pagecache.reset_pending()  # what the set-up's factories saved never committed
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def get(url: str, client: Client | None = None, **headers):
    return (client or Client()).get(url, headers=headers)


def warm(url: str):
    """Two anonymous visits: the second is answered from the cache."""
    first = get(url)
    assert first.status_code == 200 and first["X-Cache"] == "MISS"
    second = get(url)
    assert second["X-Cache"] == "HIT"
    return second


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def product():
    return ProductFactory(title="Blue bowl", price=Decimal("30.00"), stock=5)


# The cache answers ------------------------------------------------------------------------------


def test_a_second_anonymous_visit_is_served_from_the_cache_with_the_same_page(product):
    url = product.get_absolute_url()
    first = get(url)
    second = get(url)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert "Blue bowl" in text(second)
    strip = lambda page: re.sub(r"[A-Za-z0-9]{64}", "TOKEN", text(page))  # noqa: E731 - CSRF tokens differ
    assert strip(first) == strip(second)


@pytest.mark.parametrize(
    "url",
    [
        lambda p: "/",
        lambda p: reverse("stores:list"),
        lambda p: p.store.get_absolute_url(),
        lambda p: p.get_absolute_url(),
        lambda p: reverse("reviews:store", args=[p.store.slug]),
        lambda p: reverse("reviews:product", args=[p.store.slug, p.slug]),
        lambda p: reverse("catalog:search") + "?q=bowl",
        lambda p: reverse("catalog:categories"),
    ],
)
def test_every_public_page_is_cached(product, url):
    warm(url(product))


def test_a_cache_hit_costs_no_database_query(product, django_assert_max_num_queries):
    url = product.get_absolute_url()
    warm(url)
    with django_assert_max_num_queries(0):
        assert get(url)["X-Cache"] == "HIT"


def test_query_string_and_htmx_requests_are_kept_apart(product):
    url = product.store.get_absolute_url()
    warm(url)
    assert get(url + "?sort=price")["X-Cache"] == "MISS"
    fragment = get(url, HX_Request="true")
    assert fragment["X-Cache"] == "MISS" and "<html" not in text(fragment)
    assert "<html" in text(get(url))


def test_a_flash_message_shows_once_on_a_cached_page_and_is_never_stored(product, rf):
    url = product.get_absolute_url()
    warm(url)
    visitor = Client()
    # A message waiting in the cookie storage (as after a redirect).
    from django.contrib.messages.storage.cookie import CookieStorage, Message

    storage = CookieStorage(rf.get("/"))
    visitor.cookies["messages"] = storage._encode([Message(message_levels.SUCCESS, "Saved your bowl")])
    page = visitor.get(url)
    assert page["X-Cache"] == "HIT" and text(page).count("Saved your bowl") == 1
    again = visitor.get(url)
    assert again["X-Cache"] == "HIT" and "Saved your bowl" not in text(again)  # shown once
    assert "Saved your bowl" not in text(get(url))


# Nothing personal, no secret shared -------------------------------------------------------------


def test_each_visitor_gets_their_own_csrf_token_and_cookie_from_a_cached_page(product):
    url = product.get_absolute_url()
    warm(url)
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(url)
        assert page["X-Cache"] == "HIT"
        assert pagecache.CSRF_PLACEHOLDER not in text(page)
        token = re.search(r'"X-CSRFToken": "([A-Za-z0-9]+)"', text(page)).group(1)
        field = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', text(page)).group(1)
        assert "csrftoken" in page.cookies
        tokens.append(token)
        # Adding to the cart from the cached page passes the CSRF check, with the header...
        added = visitor.post(
            reverse("orders:cart_add"), {"product": product.pk, "quantity": 1}, headers={"X-CSRFToken": token}
        )
        assert added.status_code in (200, 302)
        # ...and with the form's own field (no JavaScript).
        added = visitor.post(
            reverse("orders:cart_add"), {"product": product.pk, "quantity": 1, "csrfmiddlewaretoken": field}
        )
        assert added.status_code in (200, 302)
    assert tokens[0] != tokens[1]


def test_the_stored_page_holds_no_token_nonce_or_cookie(product, rf):
    url = product.get_absolute_url()
    warm(url)
    status, headers, content, _holes = pagecache.stored_page(
        rf.get(url), scope=pagecache.STORE, store_slug=product.store.slug
    )
    assert status == 200
    assert pagecache.CSRF_PLACEHOLDER.encode() in content  # the token's place, not a token
    assert not re.search(rb'"X-CSRFToken": "[A-Za-z0-9]{64}"', content)
    assert not re.search(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', content)
    assert {name.lower() for name, _ in headers} <= {"content-type", "content-language", "vary"}


def test_two_visitors_of_a_cached_page_share_no_nonce_and_the_policy_is_as_strict(product):
    url = product.get_absolute_url()
    uncached = get(url)
    hits = [get(url), get(url)]
    assert [hit["X-Cache"] for hit in hits] == ["HIT", "HIT"]
    policies = [hit["Content-Security-Policy"] for hit in hits]
    assert policies[0] == uncached["Content-Security-Policy"]
    assert "script-src 'self'" in policies[0] and "unsafe-inline" not in policies[0]
    nonces = [re.findall(r"'nonce-([^']+)'", policy) for policy in policies]
    html_nonces = [re.findall(r'nonce="([^"]+)"', text(hit)) for hit in hits]
    for header, html in zip(nonces, html_nonces, strict=True):
        assert set(html) <= set(header)  # a nonce in the page is the one its header allows
    assert not (set(nonces[0] + html_nonces[0]) & set(nonces[1] + html_nonces[1]))


def test_a_page_using_a_nonce_gets_a_fresh_one_per_visitor_matching_its_header(rf):
    """Should a cached page ever carry a nonce, each visitor gets their own in HTML and header."""
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    request = rf.get("/")
    ContentSecurityPolicyMiddleware(lambda r: None).process_request(request)
    stored = f'<script nonce="{pagecache.NONCE_PLACEHOLDER}"></script>'.encode()
    served = pagecache._personalise(stored, request).decode()
    response = ContentSecurityPolicyMiddleware(lambda r: None).process_response(request, HttpResponse())
    nonce = re.search(r'nonce="([^"]+)"', served).group(1)
    assert nonce != pagecache.NONCE_PLACEHOLDER
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


# Analytics count cached views ---------------------------------------------------------------------


def test_a_cached_view_is_counted(product, monkeypatch):
    counted = []
    monkeypatch.setattr(analytics_middleware, "track_view", lambda **kwargs: counted.append(kwargs) or True)
    warm(product.get_absolute_url())
    assert [view["kind"] for view in counted] == ["product", "product"]
    assert counted[1]["product_ref"] == product.slug


# Every change shows on the next request ------------------------------------------------------------


def test_price_change(product, committed):
    url = product.get_absolute_url()
    assert "30.00" in text(warm(url))
    committed(
        lambda: services.update_product(
            product=product, title=product.title, price=Decimal("42.00"), kind=product.kind, stock=5
        )
    )
    page = get(url)
    assert page["X-Cache"] == "MISS" and "42.00" in text(page) and "30.00" not in text(page)


def test_stock_sold_out(product, committed):
    url = product.get_absolute_url()
    assert "Sold out" not in text(warm(url))
    store_url = product.store.get_absolute_url()
    warm(store_url)
    committed(
        lambda: services.update_product(
            product=product, title=product.title, price=product.price, kind=product.kind, stock=0
        )
    )
    assert "Sold out" in text(get(url))
    assert get(store_url)["X-Cache"] == "MISS"


def test_stock_sold_by_checkout_shows_on_the_next_page(product, committed):
    """The checkout takes stock with a conditional UPDATE (no signal): it bumps the store itself."""
    from shomp.orders.services.checkout import _take_stock

    url = product.get_absolute_url()
    warm(url)

    class Line:
        quantity = 5
        variant = None

    line = Line()
    line.product = Product.objects.get(pk=product.pk)
    committed(lambda: _take_stock(line, order=None))
    page = get(url)
    assert page["X-Cache"] == "MISS" and "Sold out" in text(page)


def test_unpublished_and_published_again(product, committed):
    url, store_url = product.get_absolute_url(), product.store.get_absolute_url()
    warm(url)
    assert "Blue bowl" in text(warm(store_url))
    committed(lambda: services.unpublish_product(product=product))
    assert get(url).status_code == 404
    assert "Blue bowl" not in text(get(store_url))
    committed(lambda: services.publish_product(product=Product.objects.get(pk=product.pk)))
    assert get(url).status_code == 200
    assert "Blue bowl" in text(get(store_url))


def test_promotion_start_and_end_without_any_write(product, committed, monkeypatch):
    url = product.get_absolute_url()
    now = timezone.now()
    committed(
        lambda: promotions.save_promotion(
            user=product.store.owner,
            organization_id=product.store.organization_id,
            data=promotions.PromotionData(
                name="Spring sale",
                kind="percent",
                amount=Decimal("50"),
                starts_at=now + timedelta(hours=1),
                ends_at=now + timedelta(hours=3),
                store_ids=frozenset({product.store_id}),
            ),
        )
    )
    assert "15.00" not in text(warm(url))

    def travel(delta):
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + delta)

    travel(timedelta(hours=1, seconds=1))  # the sale has started: nobody wrote anything
    started = get(url)
    assert started["X-Cache"] == "MISS" and "15.00" in text(started)
    assert get(url)["X-Cache"] == "HIT"
    travel(timedelta(hours=2))  # and now it is over
    ended = get(url)
    assert ended["X-Cache"] == "MISS" and "15.00" not in text(ended) and "30.00" in text(ended)


def test_promotion_saved_and_ended_by_the_seller(product, committed):
    url = product.get_absolute_url()
    warm(url)
    now = timezone.now()
    promotion = committed(
        lambda: promotions.save_promotion(
            user=product.store.owner,
            organization_id=product.store.organization_id,
            data=promotions.PromotionData(
                name="Now sale",
                kind="percent",
                amount=Decimal("50"),
                starts_at=now - timedelta(minutes=1),
                ends_at=now + timedelta(days=1),
                store_ids=frozenset({product.store_id}),
            ),
        )
    )
    assert "15.00" in text(get(url))
    committed(lambda: promotions.end_promotion(user=product.store.owner, promotion=promotion))
    page = get(url)
    assert "15.00" not in text(page) and "30.00" in text(page)


def test_review_and_rating(product, committed):
    product.store.review_policy = "anyone"
    product.store.save()
    url = product.get_absolute_url()
    reviews_url = reverse("reviews:product", args=[product.store.slug, product.slug])
    store_reviews_url = reverse("reviews:store", args=[product.store.slug])
    for each in (url, reviews_url, store_reviews_url):
        warm(each)
    buyer = UserFactory(username="reviewer9")
    committed(lambda: create_review(user=buyer, product=product, rating=2, title="Chipped on arrival"))
    assert "Chipped on arrival" in text(get(reviews_url))
    page = get(url)
    assert page["X-Cache"] == "MISS" and "(1 review)" in text(page) and "No reviews yet" not in text(page)
    committed(lambda: create_review(user=buyer, store=product.store, rating=5, title="Lovely shop"))
    assert "Lovely shop" in text(get(store_reviews_url))


def test_store_settings_and_theme_publish(product, committed):
    store = product.store
    url = store.get_absolute_url()
    product_url = product.get_absolute_url()
    warm(url)
    warm(product_url)
    committed(lambda: update_store(store=store, name="Kiln Room", slug=store.slug, description="Fired things"))
    assert "Kiln Room" in text(get(url)) and "Kiln Room" in text(get(product_url))
    before = re.search(r'href="([^"]+)" data-store-theme', text(get(url)))
    committed(lambda: themes.apply_theme(store=store, theme_key=themes.load_builtin_themes()[-1]["key"]))
    committed(lambda: themes.publish(store=store))
    after = re.search(r'href="([^"]+)" data-store-theme', text(get(url)))
    assert after is not None and (before is None or before.group(1) != after.group(1))


def test_a_renamed_store_address_no_longer_answers_from_the_cache(product, committed):
    store = product.store
    old = store.get_absolute_url()
    warm(old)
    committed(lambda: update_store(store=store, name=store.name, slug="fresh-address", description=""))
    assert get(old).status_code == 404


def test_follow_bumps_the_store_and_the_home_page(product, committed):
    store_url = product.store.get_absolute_url()
    warm(store_url)
    warm("/")
    committed(lambda: follow_store(user=UserFactory(), store=product.store))
    assert get(store_url)["X-Cache"] == "MISS"
    assert get("/")["X-Cache"] == "MISS"


def test_a_change_in_one_store_keeps_the_other_stores_cached(product, committed):
    other = ProductFactory(store=StoreFactory())
    warm(other.get_absolute_url())
    warm(product.get_absolute_url())
    warm("/")
    committed(
        lambda: services.update_product(
            product=product, title="Green bowl", price=product.price, kind=product.kind, stock=5
        )
    )
    assert get(other.get_absolute_url())["X-Cache"] == "HIT"
    assert "Green bowl" in text(get(product.get_absolute_url()))
    home = get("/")
    assert home["X-Cache"] == "MISS" and "Green bowl" in text(home)


def test_the_home_pages_remembered_choices_change_with_the_next_commit_for_logged_in_visitors_too(product, committed):
    """Popular products, stores to follow and category counts are remembered per "site" version
    (pagecache.site_result), for every visitor: a committed change shows on the next visit."""
    client = Client()
    client.force_login(UserFactory())

    def popular() -> str:
        html = text(client.get("/"))
        return html[html.index('id="home-popular"') : html.index('id="home-new"')]

    assert "Blue bowl" not in popular()  # nobody bought or reviewed it yet
    assert "Blue bowl" not in popular()  # the remembered choice
    product.store.review_policy = "anyone"
    product.store.save()
    committed(lambda: create_review(user=UserFactory(), product=product, rating=5, title="Lovely"))
    assert "Blue bowl" in popular()
    second = ProductFactory(store=StoreFactory(name="Second Studio"), title="Green jug", category=product.category)
    committed(lambda: follow_store(user=UserFactory(), store=second.store))
    html = text(client.get("/"))
    stores = html[html.index('id="home-stores"') :]
    assert stores.index("Second Studio") < stores.index(product.store.name)  # the followed one first
    categories = html[html.index('id="home-categories"') : html.index('id="home-popular"')]
    assert "2 items" in categories


def test_nothing_changes_before_the_commit(product, django_capture_on_commit_callbacks):
    url = product.get_absolute_url()
    warm(url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.update_product(
            product=product, title=product.title, price=Decimal("42.00"), kind=product.kind, stock=5
        )
        # Not committed yet: the version is unchanged, a page rendered now would be filed under the old one.
        assert get(url)["X-Cache"] == "HIT"
    for callback in callbacks:
        callback()
    assert "42.00" in text(get(url))


# Redis goes away --------------------------------------------------------------------------------


@needs_redis_server
def test_while_redis_is_down_pages_are_rendered_fresh_and_caching_resumes_after(
    tmp_path, monkeypatch, product, committed
):
    url = product.get_absolute_url()
    with redis_of_our_own(tmp_path) as server:
        clock = move_outage_clock(monkeypatch)
        warm(url)
        server.stop()
        down = get(url)
        assert down.status_code == 200 and "X-Cache" not in down  # not from this process's memory
        committed(
            lambda: services.update_product(
                product=product, title=product.title, price=Decimal("42.00"), kind=product.kind, stock=5
            )
        )
        page = get(url)
        assert "X-Cache" not in page and "42.00" in text(page)

        server.start()
        clock(outage.RETRY_SECONDS + 1)
        back = get(url)
        assert back["X-Cache"] == "MISS" and "42.00" in text(back)
        assert get(url)["X-Cache"] == "HIT"


def test_a_renamed_reviewer_shows_under_the_new_name_and_other_user_saves_bump_nothing(product, committed):
    from shomp.accounts.models import User

    product.store.review_policy = "anyone"
    product.store.save()
    writer = UserFactory(username="oldname")
    committed(lambda: create_review(user=writer, product=product, rating=4, title="Nice"))
    url = reverse("reviews:product", args=[product.store.slug, product.slug])
    warm(url)
    UserFactory(username="newcomer")  # signing up, then logging in, change no public page
    committed(lambda: User.objects.get(username="newcomer").save(update_fields=["last_login"]))
    committed(lambda: User.objects.get(username="newcomer").save())
    assert get(url)["X-Cache"] == "HIT"

    def rename():
        user = User.objects.get(pk=writer.pk)
        user.username = "newname"
        user.save()

    committed(rename)
    page = get(url)
    assert "newname" in text(page) and "oldname" not in text(page)
