"""Search, category and store pages: sorts, filters, counts, bad input, the one search box, and
query budgets flat with 1 and 500 results."""

import re
from decimal import Decimal

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Category, Product
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.reviews.models import ProductRating
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def category(slug: str) -> Category:
    return Category.objects.get(slug=slug)


def titles(response) -> list[str]:
    return [product.title for product in response.context["page_obj"].object_list]


@pytest.fixture
def shop():
    kiln = StoreFactory(name="Fern & Kiln Ceramics", slug="fern-and-kiln")
    ink = StoreFactory(name="Inkwell & Ash", slug="inkwell")
    mug = ProductFactory(
        store=kiln, title="Speckled Mug", price=Decimal("24.00"), stock=5, category=category("mugs-and-cups")
    )
    ProductFactory(
        store=kiln, title="Sold-out Mug", price=Decimal("18.00"), stock=0, category=category("mugs-and-cups")
    )
    ProductFactory(store=kiln, title="Fruit Bowl", price=Decimal("60.00"), category=category("bowls-and-plates"))
    ProductFactory(store=ink, title="Harbour Print", price=Decimal("30.00"), category=category("prints"))
    DigitalProductFactory(store=ink, title="Printable Mug Wrap", price=Decimal("4.00"), category=category("prints"))
    ProductFactory(store=kiln, title="Draft Mug", status=Product.Status.DRAFT, category=category("mugs-and-cups"))
    ProductFactory(store=kiln, title="Secret Mug", reserved_for=UserFactory(), category=category("mugs-and-cups"))
    ProductRating.objects.create(product=mug, count=2, rating_sum=9, star_4=1, star_5=1)
    return kiln, ink


def test_every_product_has_a_category_other_by_default():
    product = ProductFactory()
    assert product.category.slug == "other"


def test_category_page_lists_its_subcategories_products_with_counts(client, shop):
    response = client.get("/c/ceramics/")
    assert response.status_code == 200
    assert set(titles(response)) == {"Speckled Mug", "Sold-out Mug", "Fruit Bowl"}  # no draft, no reserved
    html = response.text
    assert "3 products" in html
    assert re.search(r"Mugs &amp; cups <span[^>]*>2</span>", html)
    assert re.search(r"Bowls &amp; plates <span[^>]*>1</span>", html)
    leaf = client.get("/c/mugs-and-cups/")
    assert set(titles(leaf)) == {"Speckled Mug", "Sold-out Mug"}
    assert 'href="/c/ceramics/"' in leaf.text  # the breadcrumb up


def test_unknown_category_is_a_404(client):
    assert client.get("/c/no-such-thing/").status_code == 404


def test_categories_index_shows_the_tree(client, shop):
    html = client.get("/c/").text
    for name in ("Art &amp; prints", "Ceramics", "Clothing", "Jewellery", "Books &amp; zines", "Music &amp; audio"):
        assert name in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "price_asc"}, ["Sold-out Mug", "Speckled Mug", "Fruit Bowl"]),
        ({"sort": "price_desc"}, ["Fruit Bowl", "Speckled Mug", "Sold-out Mug"]),
        ({"sort": "rating"}, ["Speckled Mug"]),  # first: the only rated one
        ({"in_stock": "1", "sort": "price_asc"}, ["Speckled Mug", "Fruit Bowl"]),
        ({"min_price": "20", "max_price": "30"}, ["Speckled Mug"]),
        ({"min_price": "20,00", "max_price": "24,00"}, ["Speckled Mug"]),  # decimal commas
        ({"rating": "1"}, ["Speckled Mug"]),
    ],
)
def test_category_sorts_and_filters(client, shop, params, expected):
    found = titles(client.get("/c/ceramics/", params))
    if params.get("sort") == "rating":
        assert found[0] == expected[0]
    else:
        assert found == expected


def test_search_filters_by_kind_store_and_category(client, shop):
    assert set(titles(client.get("/search/", {"q": "mug"}))) == {"Speckled Mug", "Sold-out Mug", "Printable Mug Wrap"}
    assert titles(client.get("/search/", {"q": "mug", "kind": "digital"})) == ["Printable Mug Wrap"]
    assert set(titles(client.get("/search/", {"q": "mug", "store": "fern-and-kiln"}))) == {
        "Speckled Mug",
        "Sold-out Mug",
    }
    assert titles(client.get("/search/", {"q": "mug", "category": "prints"})) == ["Printable Mug Wrap"]
    assert set(titles(client.get("/search/", {"q": "mug", "category": "ceramics"}))) == {
        "Speckled Mug",
        "Sold-out Mug",
    }


def test_search_shows_category_and_store_counts(client, shop):
    html = client.get("/search/", {"q": "mug"}).text
    assert re.search(r"Ceramics<span[^>]*>2</span>", html)
    assert re.search(r"Art &amp; prints<span[^>]*>1</span>", html)
    assert "Fern &amp; Kiln Ceramics (2)" in html
    assert "3 results" in html


@pytest.mark.parametrize(
    ("params", "message", "found"),
    [
        ({"min_price": "abc"}, "Enter a number, like 25 or 12.50.", 3),
        ({"max_price": "1e999"}, "Enter a price up to 1,000,000.", 3),
        ({"min_price": "-5"}, "Enter a price of 0 or more.", 3),
        # the lowest still applies, the highest is refused
        ({"min_price": "50", "max_price": "10"}, "The highest price must be at least the lowest.", 1),
    ],
)
def test_bad_filter_values_get_a_message_and_filter_nothing(client, shop, params, message, found):
    response = client.get("/c/ceramics/", params)
    assert response.status_code == 200
    assert message in response.text
    assert len(titles(response)) == found  # the bad bound is ignored


@pytest.mark.parametrize("params", [{"sort": "cheapest"}, {"sort": "x" * 500}, {"page": "zz"}, {"kind": "both"}])
def test_unknown_values_are_ignored(client, shop, params):
    for url in ("/search/", "/c/ceramics/", "/fern-and-kiln/"):
        response = client.get(url, {"q": "mug", **params})
        assert response.status_code == 200


def test_unknown_sort_falls_back_to_relevance_or_newest(client, shop):
    response = client.get("/c/ceramics/", {"sort": "cheapest"})
    assert response.context["filters"].effective_sort == "newest"
    response = client.get("/search/", {"q": "mug", "sort": "relevance"})
    assert response.context["filters"].effective_sort == "relevance"


def test_empty_results_suggest_what_to_try(client, shop):
    html = client.get("/search/", {"q": "mug", "min_price": "500"}).text
    assert "No products found" in html
    assert "Clear the filters" in html
    assert "browse the stores" in html
    html = client.get("/search/", {"q": "zeppelin"}).text
    assert "Check the spelling" in html


def test_store_page_sorts_and_filters_only_its_products(client, shop):
    _kiln, _ink = shop
    response = client.get("/fern-and-kiln/", {"sort": "price_desc", "store": "inkwell"})
    assert titles(response) == ["Fruit Bowl", "Speckled Mug", "Sold-out Mug"]  # a store= param can't leave it
    assert titles(client.get("/fern-and-kiln/", {"in_stock": "1", "sort": "price_asc"})) == [
        "Speckled Mug",
        "Fruit Bowl",
    ]


def test_a_store_pages_first_page_without_filters_is_what_the_filtered_listing_gives(client, shop):
    """The store page as most visitors open it reads its first page and its count by queries
    compiled once (selectors.browse.default_store_listing): the same products, order and count as
    the listing asked through the ORM, for any store, with other stores' and hidden products out."""
    from shomp.catalog.selectors import browse

    kiln, _ink = shop
    for n in range(30):
        ProductFactory(store=kiln, title=f"Cup {n:02}", price=Decimal("10.00"))
    for store in (kiln, StoreFactory(slug="empty-shelf")):
        listing = browse.browse_products(filters=browse.BrowseFilters(), store=store)
        assert [p.pk for p in browse.default_store_listing(store=store, limit=24)] == [p.pk for p in listing[:24]]
        assert browse.default_store_listing_count(store=store) == listing.count()
    first = client.get("/fern-and-kiln/")
    assert first.context["page_obj"].paginator.count == 33  # 30 cups, 2 mugs and the bowl
    assert len(titles(first)) == 24 and titles(first)[0] == "Cup 29"
    assert "Draft Mug" not in titles(first) and "Secret Mug" not in titles(first)
    second = client.get("/fern-and-kiln/?page=2")
    assert len(titles(second)) == 9 and set(titles(first)).isdisjoint(titles(second))
    assert titles(client.get("/fern-and-kiln/?page=1")) == titles(first)
    assert titles(client.get("/fern-and-kiln/?kind=physical&sort=price_desc"))[0] == "Fruit Bowl"  # through the ORM
    assert client.get("/empty-shelf/").context["page_obj"].paginator.count == 0


def test_pagination_keeps_the_filters_in_the_url(client):
    for number in range(30):
        ProductFactory(title=f"Mug {number}", price=Decimal(number + 1), category=category("mugs-and-cups"))
    html = client.get("/c/mugs-and-cups/", {"sort": "price_asc", "min_price": "2"}).text
    assert "29 products" in html or "29 results" in html
    next_link = re.search(r'href="\?([^"]*)" rel="next"', html).group(1)
    assert "sort=price_asc" in next_link and "min_price=2" in next_link and "page=2" in next_link


def test_one_search_box_per_page(client, shop):
    assert client.get("/search/", {"q": "mug"}).text.count('type="search"') == 1
    for url in ("/", "/c/ceramics/", "/fern-and-kiln/"):
        assert client.get(url).text.count('type="search"') == 1


def test_the_product_form_sets_a_category_and_tags(client, shop):
    kiln, _ink = shop
    client.force_login(kiln.owner)
    response = client.post(
        "/dashboard/products/new/",
        {
            "title": "Tall Vase",
            "price": "40",
            "kind": "physical",
            "stock": "2",
            "category": str(category("vases-and-planters").pk),
            "tags": "Flowers, flowers, Gift",
        },
    )
    assert response.status_code == 302
    vase = Product.objects.get(title="Tall Vase")
    assert vase.category.slug == "vases-and-planters"
    assert vase.tags == "flowers, gift"
    response = client.post(
        f"/dashboard/products/{vase.pk}/edit/",
        {"title": "Tall Vase", "price": "40", "kind": "physical", "stock": "2", "category": "999999"},
    )
    assert "Choose a category from the list." in response.text
    vase.refresh_from_db()
    assert vase.category.slug == "vases-and-planters"


@pytest.mark.parametrize("user_kind", ["anonymous", "stranger", "other_owner"])
def test_public_listings_never_show_drafts_or_reserved_products(client, shop, user_kind):
    if user_kind == "stranger":
        client.force_login(UserFactory())
    elif user_kind == "other_owner":
        client.force_login(shop[1].owner)
    for url, params in (("/search/", {"q": "mug"}), ("/c/ceramics/", {}), ("/fern-and-kiln/", {})):
        found = titles(client.get(url, params))
        assert "Draft Mug" not in found
        assert "Secret Mug" not in found


def _fill(size: int):
    kiln = StoreFactory(slug="bulk")
    mugs = category("mugs-and-cups")
    Product.objects.bulk_create(
        [
            Product(
                store=kiln,
                title=f"Mug {n}",
                slug=f"mug-{n}",
                price=Decimal(n % 50 + 1),
                stock=n % 3,
                status=Product.Status.PUBLISHED,
                category=mugs,
            )
            for n in range(size)
        ]
    )
    Product.objects.filter(store=kiln).update(published_at="2026-01-01T00:00:00Z")


@pytest.mark.parametrize("size", [1, 500])
def test_query_budgets_are_flat(client, django_assert_max_num_queries, size):
    _fill(size)
    params = {"sort": "price_asc", "in_stock": "1", "min_price": "1", "rating": ""}
    # count, products, images; the category tree, the results' categories and stores
    with django_assert_max_num_queries(8):  # + the cards' prices: live variants, running promotions
        assert client.get("/search/", {"q": "mug", **params}).status_code == 200
    # the tree, all counts, count, products, images, stores
    with django_assert_max_num_queries(8):  # + the cards' prices: live variants, running promotions
        assert client.get("/c/ceramics/", {"sort": "bestselling", **params}).status_code == 200
    # store, count, products, images, reply time, design (themes)
    with django_assert_max_num_queries(8):  # + the cards' prices: live variants, running promotions
        assert client.get("/bulk/", {"sort": "rating", **params}).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/c/").status_code == 200
