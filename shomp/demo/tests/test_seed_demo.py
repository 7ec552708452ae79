import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from shomp.catalog.models import Product, ProductImage, Variant
from shomp.demo import catalogue
from shomp.orders.models import CartItem, Checkout, Order
from shomp.stores.models import Store

User = get_user_model()
LOGINS = ["demo-seller", "demo-seller2", "demo-buyer", "demo-admin"]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "stores": Store.objects.count(),
        "products": Product.objects.count(),
        "images": ProductImage.objects.count(),
        "checkouts": Checkout.objects.count(),
        "orders": Order.objects.count(),
        "cart items": CartItem.objects.count(),
    }


@pytest.mark.django_db
def test_full_demo_is_made_only_once():
    # How long seeding takes is not asserted here (a loaded machine made it flaky); `make run`
    # seeds on a first start, so keep it quick.
    output = seed()

    for username in LOGINS:
        assert f"{username}@example.com" in output
    assert "shomp-demo" in output

    stores = Store.objects.all()
    assert stores.count() >= 6
    assert stores.filter(owner__username="demo-seller").count() >= 3
    assert stores.filter(owner__username="demo-seller2").count() >= 3
    assert all(store.logo and store.logo_thumbnail for store in stores)

    products = Product.objects.all()
    assert products.count() >= 60
    assert products.filter(status=Product.Status.DRAFT).count() >= 2
    physical = products.filter(kind=Product.Kind.PHYSICAL)
    assert physical.filter(stock=0).exists()
    assert physical.filter(stock__gt=0, stock__lte=2).exists()
    digital = products.filter(kind=Product.Kind.DIGITAL)
    assert digital.count() >= 10
    assert all(p.digital_file and p.digital_file_size > 0 for p in digital)
    assert {p.digital_file_type for p in digital} >= {"application/pdf", "application/zip", "application/epub+zip"}
    for product in products.prefetch_related("images"):
        assert 1 <= len(product.images.all()) <= 3, product
    image = ProductImage.objects.first()
    assert (image.width, image.height) == (800, 600)
    assert len({p.price for p in products}) > 20  # realistic, varied prices

    with_variants = products.filter(has_variants=True)
    assert with_variants.count() >= 3
    variants = Variant.objects.filter(product__in=with_variants).select_related("product")
    assert variants.count() >= 15
    assert {v.stock_status for v in variants} == {"in_stock", "low", "out"}
    assert len({v.price for v in variants}) > 5  # option modifiers make prices differ
    assert all(v.sku for v in variants)
    assert variants.filter(image__isnull=False).exists()
    assert with_variants.filter(track_inventory=False).exists()  # made to order

    orders = Order.objects.filter(buyer__username="demo-buyer")
    assert orders.values("store").distinct().count() >= 4
    assert set(orders.values_list("status", flat=True)) >= {"paid", "shipped", "fulfilled"}
    assert all(order.ship_line1 for order in orders.filter(status="shipped"))
    assert Checkout.objects.filter(buyer__username="demo-buyer").exclude(payment_reference="").exists()
    assert CartItem.objects.filter(cart__user__username="demo-buyer").exists()

    before = counts()
    output = seed()
    assert counts() == before
    assert "already there" in output


@pytest.mark.django_db
def test_logins_work_by_username_and_by_email():
    seed(products_per_store=1)
    for username in LOGINS:
        email = f"{username}@example.com"
        assert EmailAddress.objects.filter(email=email, verified=True, primary=True, user__username=username).exists()
        user = authenticate(None, username=username, password=catalogue.DEMO_PASSWORD)
        assert user is not None and user.username == username
        by_email = authenticate(None, username=email, password=catalogue.DEMO_PASSWORD)
        assert by_email == user
        assert authenticate(None, username=username, password="wrong-password") is None
    admin = User.objects.get(username="demo-admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(username__in=LOGINS[:3], is_staff=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["demo-buyer", "demo-seller@example.com"])
def test_the_login_page_accepts_the_demo_logins(client, login):
    seed(products_per_store=1)
    response = client.post("/accounts/login/", {"login": login, "password": catalogue.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_a_small_run_still_has_orders_and_a_bigger_one_only_adds():
    seed(products_per_store=2)
    assert Store.objects.count() == 6
    assert Product.objects.filter(has_variants=False).count() == 12
    assert Order.objects.filter(buyer__username="demo-buyer").exists()
    small = counts()

    seed(products_per_store=3)
    bigger = counts()
    assert bigger["products"] == small["products"] + 6
    assert bigger["users"] == small["users"] and bigger["stores"] == small["stores"]
    assert bigger["orders"] >= small["orders"]
    assert bigger["cart items"] == small["cart items"]  # the cart is filled once, with the buyer


@pytest.mark.django_db
def test_refuses_without_demo_permission(settings):
    settings.SHOMP_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="SHOMP_DEMO_ALLOWED"):
        seed()
    assert not User.objects.exists()
    assert not Store.objects.exists()


@pytest.mark.django_db
def test_refuses_a_bad_product_count():
    with pytest.raises(CommandError, match="--products-per-store"):
        seed(products_per_store=0)
