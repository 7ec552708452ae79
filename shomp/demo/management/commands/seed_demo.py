"""`manage.py seed_demo`: a small, lively marketplace to click through in development.

Five logins (two sellers, a support member, a buyer and an admin, password "shomp-demo"), six stores with sixty
products, pictures and downloads, three products with options and variants (variants.py), a few
orders at different stages and a cart ready to check out,
followers (demo fans, for the sellers' charts), store announcements and notifications (audience.py),
and reviews with photos, the sellers' responses, helpful votes and a flag (reviews.py),
conversations of every type between the buyer and the stores (conversations.py),
demo-seller's organization "Studio North" with a manager, a support member and a waiting
invitation (organization.py), and 90 days of store analytics, rolled up (analytics.py).

Everything goes through the apps' services and `core.uploads`, as the pages would do it; only
the users (and their allauth email rows) are created directly. It is idempotent: users are found
by username, stores by slug, products by store and slug, checkouts by a fixed token, so a second
run makes nothing. It refuses to run unless `settings.SHOMP_DEMO_ALLOWED` (never with DEBUG off).
"""

import time
from collections import Counter
from dataclasses import asdict
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shomp.catalog.models import Product
from shomp.catalog.services import create_product, publish_product
from shomp.core import uploads
from shomp.demo import analytics, audience, catalogue, conversations, organization, reviews, samples, variants
from shomp.demo import categories as demo_categories
from shomp.demo import promotions as demo_promotions
from shomp.demo import shipping as demo_shipping
from shomp.demo import themes as store_themes
from shomp.demo import wishlists as demo_wishlists
from shomp.orders.models import Checkout, Order
from shomp.orders.payments import Card, TestPaymentProvider
from shomp.orders.services import (
    ShippingAddress,
    add_to_cart,
    get_or_create_cart,
    mark_order_fulfilled,
    mark_order_shipped,
    place_order,
)
from shomp.stores.models import Store
from shomp.stores.services import create_store

User = get_user_model()


class Command(BaseCommand):
    help = "Create Shomp's demo users, stores, products and orders (idempotent; development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--products-per-store",
            type=int,
            default=catalogue.PRODUCTS_PER_STORE,
            help=f"How many of each store's products to make (1-{catalogue.PRODUCTS_PER_STORE}; default all).",
        )

    def handle(self, *args, products_per_store: int, **options):
        if not settings.SHOMP_DEMO_ALLOWED:
            raise CommandError(
                "Refusing to create demo data: SHOMP_DEMO_ALLOWED is off. Demo accounts have a published "
                "password, so they are never made in production (DEBUG=0) or with SHOMP_DEMO_ALLOWED=0."
            )
        if not 1 <= products_per_store <= catalogue.PRODUCTS_PER_STORE:
            raise CommandError(f"--products-per-store must be between 1 and {catalogue.PRODUCTS_PER_STORE}.")
        self.verbosity = options["verbosity"]
        self.created = Counter()
        started = time.monotonic()
        try:
            # One transaction: an interrupted or failed run leaves no half-made marketplace behind
            # (pushes and confirmation emails of the demo orders go out once it commits).
            with transaction.atomic():
                users, new_users = self._users()
                stores = self._stores(users)
                organization.seed(users=users, stores=stores, created=self.created)
                demo_shipping.seed(stores=stores, created=self.created)  # before the demo orders pay for it
                products = self._products(stores, products_per_store)
                variants.seed(stores=stores, created=self.created)
                demo_categories.seed(stores=stores, created=self.created)  # after every product exists
                store_themes.seed(stores=stores, created=self.created)  # each store its theme (themes.py)
                self._checkouts(users, products)
                audience.seed(users=users, stores=stores, products=products, created=self.created)
                reviews.seed(users=users, stores=stores, products=products, created=self.created)
                conversations.seed(users=users, stores=stores, products=products, created=self.created)
                analytics.seed(stores=stores, created=self.created)
                demo_promotions.seed(stores=stores, created=self.created)  # after the orders: they paid full price
                # After the sale: items are saved at the price buyers pay now, so a second seed
                # finds no new drop to announce.
                demo_wishlists.seed(users=users, stores=stores, products=products, created=self.created)
                if "demo-buyer" in new_users:  # the cart comes with the buyer, once
                    self._cart(users["demo-buyer"], products)
        except ValidationError as error:
            raise CommandError(f"Demo data could not be created: {'; '.join(error.messages)}") from error
        self._report(time.monotonic() - started)

    # Users -------------------------------------------------------------------------------------

    def _users(self) -> tuple[dict, set[str]]:
        users, new = {}, set()
        password = None
        for spec in catalogue.USERS:
            user = User.objects.filter(username__iexact=spec.username).first()
            if user is None:
                if User.objects.filter(email__iexact=spec.email).exists():
                    raise CommandError(f"{spec.email} belongs to another user; remove it to seed the demo.")
                # Hashing is slow on purpose (~0.5 s); the demo users share one hash of the
                # same published password.
                password = password or make_password(catalogue.DEMO_PASSWORD)
                user = User.objects.create(
                    username=spec.username,
                    email=spec.email,
                    password=password,
                    is_staff=spec.staff,
                    is_superuser=spec.staff,
                )
                new.add(spec.username)
                self.created["users"] += 1
            if not EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
                # Verified and primary, so the email logs in like the username does.
                EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            users[spec.username] = user
        return users, new

    # Stores and products -----------------------------------------------------------------------

    def _stores(self, users: dict) -> dict[str, Store]:
        stores = {}
        for seed, spec in enumerate(catalogue.STORES):
            owner = users[spec.owner]
            store = Store.objects.filter(slug=spec.slug).first()
            if store is None:
                logo = uploads.process_image(samples.store_logo(name=spec.name, seed=seed * 7 + 3))
                store = create_store(
                    owner=owner, name=spec.name, slug=spec.slug, description=spec.description, logo=logo
                )
                self.created["stores"] += 1
            elif store.owner_id != owner.pk:
                raise CommandError(f"The store address /{spec.slug} belongs to someone else; the demo needs it.")
            stores[spec.slug] = store
        return stores

    def _products(self, stores: dict[str, Store], per_store: int) -> dict[tuple[str, int], Product]:
        """Make what is missing; return every demo product, keyed by (store slug, index in the catalogue)."""
        found = {}
        for store_number, spec in enumerate(catalogue.STORES):
            store = stores[spec.slug]
            existing = {product.slug: product for product in store.products.all()}
            for index, item in enumerate(spec.products):
                product = existing.get(item.slug)
                if product is None and index < per_store:
                    product = self._product(store, item, seed=store_number * len(spec.products) + index)
                if product is not None:
                    found[(spec.slug, index)] = product
        return found

    def _product(self, store: Store, item: catalogue.DemoProduct, *, seed: int) -> Product:
        images = [
            uploads.process_image(samples.product_image(title=item.title, seed=seed, variant=variant))
            for variant in range(item.images)
        ]
        digital_file = None
        if item.is_digital:
            upload = samples.download(
                kind=item.file,
                title=item.title,
                slug=item.slug,
                seed=seed,
                store_name=store.name,
                description=item.description,
            )
            digital_file = uploads.process_file(
                upload, allowed=uploads.DIGITAL_PRODUCT_TYPES, max_bytes=uploads.DIGITAL_PRODUCT_MAX_BYTES
            )
        product = create_product(
            store=store,
            title=item.title,
            slug=item.slug,
            description=item.description,
            price=Decimal(item.price),
            kind=Product.Kind.DIGITAL if item.is_digital else Product.Kind.PHYSICAL,
            stock=item.stock,
            images=images,
            digital_file=digital_file,
        )
        if not item.draft:
            product = publish_product(product=product)
        self.created["products"] += 1
        self.created["images"] += len(images)
        return product

    # Orders and the cart -----------------------------------------------------------------------

    def _checkouts(self, users: dict, products: dict[tuple[str, int], Product]) -> None:
        card = Card(number=TestPaymentProvider.SUCCESS_CARD, expiry="12/34", cvc="123")
        provider = TestPaymentProvider()  # always the offline test provider: the demo never moves money
        placed = set(
            Checkout.objects.filter(token__in=[spec.token for spec in catalogue.CHECKOUTS]).values_list(
                "token", flat=True
            )
        )
        for spec in catalogue.CHECKOUTS:
            if spec.token in placed:
                continue
            lines = self._buyable(products, spec.lines)
            if not lines:  # a small run (--products-per-store) lacks these products
                continue
            buyer = users[spec.buyer]
            cart = get_or_create_cart(user=buyer, session=None)
            if cart.items.exists():
                self._say(f"Skipped the demo order {spec.key}: {buyer.username}'s cart is not empty.")
                continue
            for product, quantity in lines:
                add_to_cart(cart=cart, product=product, quantity=quantity)
            address = catalogue.ADDRESSES[spec.buyer]
            needs_shipping = any(not product.is_digital for product, _ in lines)
            checkout = place_order(
                buyer=buyer,
                cart=cart,
                token=spec.token,
                card=card,
                shipping=ShippingAddress(**asdict(address)) if needs_shipping else None,
                provider=provider,
            )
            self.created["orders"] += checkout.orders.count()
            for order in checkout.orders.select_related("store"):
                self._progress(order, spec.progress.get(order.store.slug))

    def _progress(self, order: Order, step: str | None) -> None:
        if step in ("shipped", "fulfilled") and order.needs_shipping:
            order = mark_order_shipped(order=order)
        if step == "fulfilled":
            mark_order_fulfilled(order=order)

    def _cart(self, buyer, products: dict[tuple[str, int], Product]) -> None:
        cart = get_or_create_cart(user=buyer, session=None)
        for product, quantity in self._buyable(products, catalogue.CART):
            add_to_cart(cart=cart, product=product, quantity=quantity)
            self.created["cart items"] += 1

    def _buyable(self, products: dict, lines: list[tuple[str, int, int]]) -> list[tuple[Product, int]]:
        """The lines whose product exists, is on sale and has the stock, with fresh product rows."""
        wanted = [
            (products[(slug, index)].pk, quantity) for slug, index, quantity in lines if (slug, index) in products
        ]
        fresh = Product.objects.select_related("store").in_bulk([pk for pk, _ in wanted])
        return [
            (fresh[pk], quantity)
            for pk, quantity in wanted
            if fresh[pk].is_published and (fresh[pk].stock is None or fresh[pk].stock >= quantity)
        ]

    # Output ------------------------------------------------------------------------------------

    def _say(self, message: str, style=None) -> None:
        if self.verbosity >= 1:
            self.stdout.write(style(message) if style else message)

    def _report(self, seconds: float) -> None:
        made_counts = +self.created  # a seeder that added 0 of something made nothing
        if made_counts:
            made = ", ".join(f"{count} {what}" for what, count in made_counts.items())
            self._say(f"Demo data created in {seconds:.1f} s: {made}.", self.style.SUCCESS)
        else:
            self._say("Demo data is already there; nothing to do.")
        self._say(f'Demo logins (password "{catalogue.DEMO_PASSWORD}", username or email):')
        width = max(len(user.username) for user in catalogue.USERS)
        for user in catalogue.USERS:
            self._say(f"  {user.username:<{width}}  {user.email:<{width + 12}}  {user.role}")
