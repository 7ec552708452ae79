"""Starting data for browser tests, made with the apps' factories and services.

Everything here runs in the test's main thread and commits (the e2e tests are transactional), so
the live server sees it. What must run inside the server (anything that publishes real-time
events, such as placing an order) goes through `live_server_app.call`.
"""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from PIL import Image

from shomp.accounts.tests.factories import PASSWORD, UserFactory
from shomp.catalog import services as catalog_services
from shomp.catalog.models import Product
from shomp.core import uploads
from shomp.stores import services as store_services
from shomp.stores.tests.factories import StoreFactory

__all__ = ["PASSWORD", "pdf_bytes", "place_order", "png_bytes", "product", "store", "user"]

# A small but real PDF (what a creator would sell), with bytes we can compare after a download.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
COLORS = [(109, 40, 217), (234, 88, 12), (22, 163, 74), (37, 99, 235), (219, 39, 119)]


def png_bytes(*, color: tuple[int, int, int] = (109, 40, 217), size: tuple[int, int] = (320, 240)) -> bytes:
    """A real PNG: a coloured block with a lighter band, so thumbnails are recognisable."""
    image = Image.new("RGB", size, color)
    band = tuple(min(255, c + 90) for c in color)
    image.paste(band, (0, size[1] // 3, size[0], 2 * size[1] // 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return PDF


def user(username: str | None = None, **kwargs: Any):
    """A user with the factories' PASSWORD (email <username>@example.com, name "Private Person")."""
    return UserFactory(**({"username": username} if username else {}), **kwargs)


def store(
    *,
    owner=None,
    name: str | None = None,
    slug: str | None = None,
    description: str | None = None,
    logo: bool = False,
):
    """A store (by the factory; by the stores service with a real logo when `logo`)."""
    if logo:
        return store_services.create_store(
            owner=owner or user(),
            name=name or "Logo Store",
            slug=slug or "",
            description=description or "",
            logo=_image("logo.png", COLORS[0]),
        )
    fields = {"owner": owner or user()}
    fields.update({k: v for k, v in {"name": name, "slug": slug, "description": description}.items() if v})
    return StoreFactory(**fields)


def _image(name: str, color: tuple[int, int, int]) -> uploads.ProcessedImage:
    return uploads.process_image(SimpleUploadedFile(name, png_bytes(color=color), content_type="image/png"))


def product(
    store_,
    title: str,
    *,
    price: str = "12.00",
    stock: int | None = 10,
    description: str = "",
    images: int = 1,
    digital: bool = False,
    published: bool = True,
) -> Product:
    """A product made by the catalog services, with `images` real pictures (and a PDF if digital)."""
    pictures = [_image(f"photo-{n}.png", COLORS[(n + len(title)) % len(COLORS)]) for n in range(images)]
    made = catalog_services.create_product(
        store=store_,
        title=title,
        description=description or f"{title}, made by hand in small batches.",
        price=Decimal(price),
        kind=Product.Kind.DIGITAL if digital else Product.Kind.PHYSICAL,
        stock=None if digital else stock,
        images=pictures,
        digital_file=(
            uploads.process_file(
                SimpleUploadedFile(f"{slugify(title) or 'file'}.pdf", PDF, content_type="application/pdf"),
                allowed=uploads.DIGITAL_PRODUCT_TYPES,
                max_bytes=uploads.DIGITAL_PRODUCT_MAX_BYTES,
            )
            if digital
            else None
        ),
    )
    if published:
        made = catalog_services.publish_product(product=made)
    return made


def place_order(live_server_app, *, buyer, lines: list[tuple[Product, int]]):
    """Fill `buyer`'s cart and check out with the test card, inside the server (events, tasks)."""

    def run():
        from shomp.orders import services
        from shomp.orders.payments import Card

        cart = services.get_or_create_cart(user=buyer, session={})
        for item, quantity in lines:
            services.add_to_cart(cart=cart, product=Product.objects.get(pk=item.pk), quantity=quantity)
        shipping = services.ShippingAddress(
            name="Sam Buyer", line1="1 Kiln Lane", line2="", city="Leeds", postal_code="LS1 1AA", country="GB"
        )
        return services.place_order(
            buyer=buyer,
            cart=cart,
            token=uuid.uuid4(),
            card=Card(number="4242424242424242", expiry="12/30", cvc="123"),
            shipping=shipping,
        )

    return live_server_app.call(run)
