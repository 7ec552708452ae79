"""The marketplace home page: categories with counts, popular and new items, stores to follow."""

import re

import pytest
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Category, Product
from shomp.catalog.selectors import home
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.follows.tests.factories import FollowFactory
from shomp.orders.models import Order
from shomp.orders.tests.factories import CartFactory, CartItemFactory, OrderItemFactory
from shomp.reviews.models import ProductRating
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def category(slug: str) -> Category:
    return Category.objects.get(slug=slug)


def sold(product: Product, quantity: int, status=Order.Status.PAID) -> None:
    OrderItemFactory(order__store=product.store, order__status=status, product=product, quantity=quantity)


def rated(product: Product, count: int) -> None:
    ProductRating.objects.create(product=product, count=count, rating_sum=5 * count, star_5=count)


# Selectors ---------------------------------------------------------------------------------


def test_categories_are_the_top_level_ones_with_items_counting_their_children():
    store = StoreFactory()
    ProductFactory.create_batch(2, store=store, category=category("mugs-and-cups"))
    ProductFactory(store=store, category=category("bowls-and-plates"))
    ProductFactory(store=store, category=category("rings"))
    ProductFactory(store=store, category=category("prints"), status=Product.Status.DRAFT)  # not on sale

    nodes = home.home_categories()

    assert [(node.category.slug, node.count) for node in nodes] == [("ceramics", 3), ("jewellery", 1)]


def test_popular_is_what_sold_most_then_the_most_reviewed_and_never_an_unsold_unreviewed_item():
    store = StoreFactory()
    best, second, reviewed = (ProductFactory(store=store, title=t) for t in ("Best", "Second", "Loved"))
    ProductFactory(store=store, title="Quiet")
    sold(best, 1)
    sold(best, 4, status=Order.Status.DELIVERED)  # delivered orders count as sold
    sold(second, 2)
    sold(second, 9, status=Order.Status.CANCELLED)  # a cancelled order sold nothing
    sold(second, 9, status=Order.Status.REFUNDED)  # nor a refunded one
    rated(reviewed, 3)

    titles = [product.title for product in home.popular_products()]

    assert titles == ["Best", "Second", "Loved"]  # Quiet sold nothing, nobody reviewed it


def test_popular_adds_up_each_products_sold_lines_and_fills_with_reviewed_ones_only_when_few_sold():
    store = StoreFactory()
    steady, burst, once, loved = (ProductFactory(store=store, title=t) for t in ("Steady", "Burst", "Once", "Loved"))
    for _ in range(3):
        sold(steady, 2)  # 6 in three orders
    sold(burst, 5)
    sold(once, 1)
    rated(once, 2)
    rated(loved, 50)  # the most reviewed, never sold

    assert [p.title for p in home.popular_products(limit=2)] == ["Steady", "Burst"]
    assert [p.title for p in home.popular_products(limit=4)] == ["Steady", "Burst", "Once", "Loved"]


def test_new_items_are_the_newest_on_sale():
    store = StoreFactory()
    old = ProductFactory(store=store, title="Old", published_at=timezone.now() - timezone.timedelta(days=3))
    ProductFactory(store=store, title="New")
    ProductFactory(store=store, title="Draft", status=Product.Status.DRAFT)

    assert [product.title for product in home.new_products()] == ["New", old.title]


def test_stores_to_follow_have_items_for_sale_and_the_most_followed_come_first():
    quiet = StoreFactory(name="Quiet Studio")
    loved = StoreFactory(name="Loved Studio")
    empty = StoreFactory(name="Empty Studio")
    ProductFactory.create_batch(3, store=quiet)
    ProductFactory(store=loved)
    ProductFactory(store=empty, status=Product.Status.DRAFT)
    FollowFactory.create_batch(2, store=loved)
    FollowFactory(store=empty)

    stores = list(home.stores_to_follow())

    assert [(s.name, s.published_count, s.follower_count) for s in stores] == [
        ("Loved Studio", 1, 2),
        ("Quiet Studio", 3, 0),
    ]


def test_the_popular_choice_and_stores_to_follow_are_remembered_until_something_changes(django_assert_num_queries):
    """The same for everyone, so chosen once per change of the marketplace (core.pagecache's
    site_result); the products and stores themselves are read fresh, in the chosen order."""
    store = StoreFactory(name="Kiln")
    low, high, mid = (ProductFactory(store=store, title=t) for t in ("Low", "High", "Mid"))
    rated(low, 1)
    rated(high, 9)
    rated(mid, 4)

    def titles():
        return [product.title for product in home.popular_products()]

    def stores():
        return [(s.name, s.published_count, s.follower_count) for s in home.stores_to_follow()]

    assert titles() == ["High", "Mid", "Low"]
    with django_assert_num_queries(2):  # those products by id and their images: not chosen again
        assert titles() == ["High", "Mid", "Low"]
    assert stores() == [("Kiln", 3, 0)]
    with django_assert_num_queries(1):  # those stores by id, with the remembered counts
        assert stores() == [("Kiln", 3, 0)]

    # A change the public pages show (a product, a rating, a follow) makes both chosen anew.
    top = ProductFactory(store=StoreFactory(name="Loom"), title="Top")
    rated(top, 20)
    FollowFactory(store=top.store)
    assert titles() == ["Top", "High", "Mid", "Low"]
    assert stores() == [("Loom", 1, 1), ("Kiln", 3, 0)]


# The page ----------------------------------------------------------------------------------


def test_the_home_page_has_one_search_box_categories_popular_new_and_stores_to_follow(client):
    store = StoreFactory(name="Fern & Kiln Ceramics", slug="fern")
    mug = ProductFactory(store=store, title="Speckled Mug", category=category("mugs-and-cups"))
    ProductFactory(store=store, title="Fresh Vase", category=category("vases-and-planters"))
    sold(mug, 3)

    html = client.get("/").text

    assert html.count('role="search"') == 1 and 'id="home-search"' in html  # the hero's box only
    categories = html[html.index('id="home-categories"') : html.index('id="home-popular"')]
    assert 'href="/c/ceramics/"' in categories and "2 items" in categories
    popular = html[html.index('id="home-popular"') : html.index('id="home-new"')]
    assert "Speckled Mug" in popular and "Fresh Vase" not in popular
    new = html[html.index('id="home-new"') : html.index('id="home-stores"')]
    assert "Fresh Vase" in new and "Speckled Mug" in new
    stores = html[html.index('id="home-stores"') :]
    assert "Fern &amp; Kiln Ceramics" in stores
    assert 'hx-get="/stores/fern/follow-button/"' in stores  # the visitor's button loads as a fragment


def test_an_empty_marketplace_says_so_in_every_section(client):
    html = client.get("/").text

    for text in ("No categories with items yet", "Nothing popular yet", "Nothing for sale yet", "No stores yet"):
        assert text in html


def test_the_page_is_the_same_for_every_visitor(client):
    """Nothing personal in the page's content: a seller, a buyer with a cart and a visitor get the
    same main section (the header's badges and menu are the only per-visitor part)."""
    store = StoreFactory(name="Purl Theory")
    product = ProductFactory(store=store, title="Beanie")
    FollowFactory(store=store, user=(buyer := UserFactory()))
    CartItemFactory(cart=CartFactory(user=buyer), product=product)

    def main(html: str) -> str:
        body = html[html.index('<main id="main"') : html.index("</main>")]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", body)

    visitor = main(client.get("/").text)
    client.force_login(buyer)
    as_buyer = main(client.get("/").text)
    client.force_login(store.owner)
    as_owner = main(client.get("/").text)

    assert visitor == as_buyer == as_owner
    assert buyer.username not in as_buyer and "Following" not in as_buyer


def test_a_category_tile_leads_to_its_category_page(client):
    ProductFactory(title="Silver ring", category=category("rings"))

    html = client.get("/").text
    assert 'href="/c/jewellery/"' in html
    page = client.get("/c/jewellery/")

    assert page.status_code == 200 and "Silver ring" in page.text


@pytest.mark.parametrize("size", [1, 55])
def test_the_home_page_costs_the_same_queries_for_one_and_many(client, django_assert_max_num_queries, size):
    slugs = ["mugs-and-cups", "rings", "prints", "zines", "records"]
    for n in range(size):
        store = StoreFactory()
        product = ProductFactory(store=store, category=category(slugs[n % len(slugs)]))
        ProductImageFactory.create_batch(2, product=product)
        sold(product, 1 + n % 3)
        rated(product, 1)
        FollowFactory(store=store)

    # categories, their counts, popular (the sold ones, then the reviewed ones while fewer than
    # eight ever sold), new, both grids' images and running promotions, stores, + the next
    # promotion start or end, part of the shared page cache's key (on a miss)
    with django_assert_max_num_queries(9):
        response = client.get("/")

    assert len(response.context["popular"]) == min(size, home.HOME_PRODUCTS)
    assert len(response.context["products"]) == min(size, home.HOME_PRODUCTS)
    assert len(response.context["stores"]) == min(size, home.HOME_STORES)
