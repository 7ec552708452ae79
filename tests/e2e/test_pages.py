"""Every main page, at desktop and phone width: no script or CSP errors, nothing wider than the
screen, and a screenshot in var/screenshots/ (<width>-<page>.png) for a person to look at."""

import pytest

from shomp.orders.models import Order

from . import builders
from .helpers import expect, horizontal_overflow, login, page_errors, screenshot


@pytest.fixture
def shop_world(live_server_app):
    """Two stores with logos and pictures, a buyer with a cart and an order, a seller with orders."""
    seller = builders.user("glaze_lab")
    shop = builders.store(
        owner=seller,
        name="Glaze Lab Ceramics & Things",
        slug="glaze-lab",
        description="Small-batch stoneware: mugs, bowls and teapots, glazed by hand in Leeds.",
        logo=True,
    )
    other = builders.store(name="Ink Parade", slug="ink-parade", description="Risograph prints.", logo=True)
    teapot = builders.product(
        shop,
        "Celadon Teapot with a Very Long Name That Has to Wrap Somewhere Sensible",
        price="64.00",
        stock=3,
        images=3,
        description="Holds four cups.\nSoft celadon glaze over a speckled clay body.\nDishwasher safe.",
    )
    builders.product(shop, "Speckled Mug", price="18.00", stock=0, images=1)
    builders.product(shop, "Glazing Guide", price="9.00", digital=True, images=0)
    builders.product(shop, "Unfinished Bowl", published=False, images=1)
    builders.product(other, "Fox Print", price="25.00", images=1)
    buyer = builders.user("tea_drinker")
    builders.place_order(live_server_app, buyer=buyer, lines=[(teapot, 1)])
    order = Order.objects.get(buyer=buyer)
    return {"seller": seller, "shop": shop, "teapot": teapot, "buyer": buyer, "order": order}


@pytest.mark.parametrize("width", ["desktop", "mobile"])
def test_main_pages_render_cleanly(make_page, live_url, shop_world, width):
    mobile = width == "mobile"
    teapot, order = shop_world["teapot"], shop_world["order"]
    visitor = make_page(mobile=mobile)
    buyer = login(make_page(mobile=mobile), live_url, shop_world["buyer"].username, builders.PASSWORD)
    seller = login(make_page(mobile=mobile), live_url, shop_world["seller"].username, builders.PASSWORD)
    buyer.goto(teapot.get_absolute_url())
    buyer.get_by_role("button", name="Add to cart").click()
    buyer.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product
    expect(buyer.get_by_role("heading", name="Your cart")).to_be_visible()

    pages = [
        (visitor, "home", "/"),
        (visitor, "stores", "/stores/"),
        (visitor, "store", "/glaze-lab/"),
        (visitor, "product", teapot.get_absolute_url()),
        (visitor, "search", "/search/?q=teapot"),
        (visitor, "login", "/accounts/login/"),
        (visitor, "signup", "/accounts/signup/"),
        (visitor, "not-found", "/no-such-store/"),
        (buyer, "cart", "/cart/"),
        (buyer, "checkout", "/checkout/"),
        (buyer, "orders", "/orders/"),
        (buyer, "order", order.get_absolute_url()),
        (seller, "dashboard", "/dashboard/"),
        (seller, "dashboard-products", "/dashboard/products/"),
        (seller, "dashboard-product-edit", f"/dashboard/products/{teapot.pk}/edit/"),
        (seller, "dashboard-order", f"/dashboard/orders/{order.uuid}/"),
        (seller, "dashboard-store", "/dashboard/store/"),
    ]
    problems = []
    for page, name, url in pages:
        response = page.goto(url)
        expected_status = 404 if name == "not-found" else 200
        if response.status != expected_status:
            problems.append(f"{name}: HTTP {response.status}")
        screenshot(page, f"{width}-{name}")
        if overflow := horizontal_overflow(page):
            problems.append(f"{name}: {overflow}px wider than the {width} screen")
        errors = [e for e in page_errors(page) if "favicon" not in e and not (name == "not-found" and "404" in e)]
        if errors:
            problems.append(f"{name}: {errors}")
        page.shomp_errors.clear()
    assert problems == [], "\n".join(problems)


def test_the_favicon_loads(page, live_url):
    page.goto("/")
    href = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(href).status == 200


def test_account_pages_use_the_site_layout(page, live_url):
    """shomp/accounts/templates/allauth/ must win over allauth's own (INSTALLED_APPS order)."""
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/login/code/"):
        page.goto(url)
        expect(page.get_by_role("banner").get_by_role("link", name="Shomp")).to_be_visible()
        expect(page.get_by_role("link", name="Skip to content")).to_be_attached()
        expect(page.get_by_role("main").locator("form input.form-control").first).to_be_visible()
