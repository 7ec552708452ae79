"""Products, their images and publishing."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from shomp.core.money import MAX_PRICE, format_money, quantize
from shomp.core.uploads import ProcessedFile, ProcessedImage

from .. import hooks
from ..models import Product, ProductImage

MAX_IMAGES = 10


def _validate_price(price: Decimal) -> Decimal:
    if price is None:
        raise ValidationError({"price": "Enter a price."})
    price = quantize(price)
    if price < 0:
        raise ValidationError({"price": "The price can't be negative."})
    if price > MAX_PRICE:
        raise ValidationError({"price": "The price can be at most 1,000,000.00."})
    return price


def _unique_slug(*, store, title: str, slug: str = "", exclude_pk: int | None = None) -> str:
    wanted = slugify(slug or title)[:150].strip("-")
    if not wanted or wanted.isdigit():  # digits alone would read as a product id in URLs
        wanted = f"product-{wanted}".strip("-")
    taken = Product.objects.filter(store=store).exclude(pk=exclude_pk)
    if slug:
        if taken.filter(slug=wanted).exists():
            raise ValidationError({"slug": f"Another product of this store already uses “{wanted}”."})
        return wanted
    candidate, n = wanted, 2
    while taken.filter(slug=candidate).exists():
        candidate, n = f"{wanted}-{n}", n + 1
    return candidate


def _check_kind(*, kind: str, stock: int | None) -> int | None:
    if kind not in Product.Kind.values:
        raise ValidationError({"kind": "Choose digital or physical."})
    if kind == Product.Kind.PHYSICAL:
        if stock is None:
            raise ValidationError({"stock": "How many do you have? Enter the stock of a physical product."})
        if stock < 0:
            raise ValidationError({"stock": "Stock can't be negative."})
        return stock
    return None


@transaction.atomic
def create_product(
    *,
    store,
    title: str,
    price: Decimal,
    kind: str,
    description: str = "",
    slug: str = "",
    stock: int | None = None,
    images: list[ProcessedImage] = (),
    digital_file: ProcessedFile | None = None,
    publish: bool = False,
) -> Product:
    """A new product, a draft unless `publish`; with `publish` it is created live or not at all."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the product a title."})
    product = Product(
        store=store,
        title=title,
        description=(description or "").strip(),
        price=_validate_price(price),
        kind=kind,
        stock=_check_kind(kind=kind, stock=stock),
        slug=_unique_slug(store=store, title=title, slug=slug),
    )
    if digital_file is not None:
        _set_digital_file(product, digital_file)
    product.full_clean(exclude=["digital_file"])
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationError({"slug": "Another product of this store already uses that address."}) from None
    add_product_images(product=product, images=images)
    if publish:
        product = publish_product(product=product)
    return product


@transaction.atomic
def create_reserved_product(*, store, buyer, title: str, price: Decimal, description: str = "") -> Product:
    """A one-off product made for `buyer` (a custom order): on sale to them alone, one in stock.

    It is published at once but never listed (store page, search, home) and never announced:
    the first-publish hooks (followers' "new product") are not called for it.
    """
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the product a title."})
    product = Product(
        store=store,
        title=title,
        description=(description or "").strip(),
        price=_validate_price(price),
        kind=Product.Kind.PHYSICAL,
        stock=1,
        slug=_unique_slug(store=store, title=f"custom {title}"),
        status=Product.Status.PUBLISHED,
        published_at=timezone.now(),
        reserved_for=buyer,
    )
    product.full_clean(exclude=["digital_file"])
    product.save()
    return product


@transaction.atomic
def update_product(
    *,
    product: Product,
    title: str,
    price: Decimal,
    kind: str,
    description: str = "",
    slug: str = "",
    stock: int | None = None,
    digital_file: ProcessedFile | None = None,
    images: list[ProcessedImage] = (),
) -> Product:
    """Save the product's fields and add `images`: all of it, or (on ValidationError) none of it."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the product a title."})
    product.title = title
    product.description = (description or "").strip()
    product.price = _validate_price(price)
    product.kind = kind
    if stock is None and product.has_variants:
        stock = product.stock or 0  # counted per variant; the product's own count is unused
    product.stock = _check_kind(kind=kind, stock=stock)
    if product.has_variants:
        _check_variant_prices(product)
    product.slug = _unique_slug(store=product.store, title=title, slug=slug or product.slug, exclude_pk=product.pk)
    if digital_file is not None:
        _set_digital_file(product, digital_file)
    if product.status == Product.Status.PUBLISHED:
        _check_publishable(product)
    product.full_clean(exclude=["digital_file", "store"])
    product.save()
    add_product_images(product=product, images=images)
    return product


def _check_variant_prices(product: Product) -> None:
    """A lower base price must not take a variant below zero (it would be given away)."""
    cheapest = (
        product.variants.filter(archived_at__isnull=True)
        .annotate(modifier=Coalesce("price_modifier", "options_price_modifier"))
        .order_by("modifier")
        .first()
    )
    if cheapest is not None and product.price + cheapest.modifier < 0:
        raise ValidationError(
            {
                "price": f"At this price “{cheapest.name}” would cost less than nothing (its modifier is "
                f"{format_money(cheapest.modifier, product.store.currency)}): raise the price or change "
                "the variant's modifier first."
            }
        )


def _set_digital_file(product: Product, upload: ProcessedFile) -> None:
    product.digital_file.save(upload.content.name, upload.content, save=False)
    product.digital_file_name = upload.original_name
    product.digital_file_type = upload.content_type
    product.digital_file_size = upload.size


def _check_publishable(product: Product) -> None:
    if product.kind == Product.Kind.DIGITAL and not product.digital_file:
        raise ValidationError(
            {"digital_file": "Upload the file buyers will download before publishing this digital product."}
        )


@transaction.atomic
def publish_product(*, product: Product) -> Product:
    """Put the product on sale. The first publish ever (no `published_at` yet) also runs the
    `hooks.on_first_publish` callbacks after commit: followers hear about a product once."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    _check_publishable(product)
    first = product.published_at is None
    product.status = Product.Status.PUBLISHED
    product.published_at = product.published_at or timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    if first:
        product_id = product.pk
        transaction.on_commit(lambda: hooks.product_first_published(product_id=product_id), robust=True)
    return product


@transaction.atomic
def unpublish_product(*, product: Product) -> Product:
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DRAFT, updated_at=timezone.now())
    product.refresh_from_db()
    return product


@transaction.atomic
def archive_product(*, product: Product) -> Product:
    """Archived products leave the store and search but stay in past orders."""
    Product.objects.filter(pk=product.pk).update(status=Product.Status.ARCHIVED, updated_at=timezone.now())
    product.refresh_from_db()
    return product


@transaction.atomic
def add_product_images(*, product: Product, images: list[ProcessedImage]) -> list[ProductImage]:
    if not images:
        return []
    existing = product.images.count()
    if existing + len(images) > MAX_IMAGES:
        raise ValidationError({"images": f"A product can have at most {MAX_IMAGES} images."})
    start = (product.images.aggregate(m=Max("position"))["m"] or 0) + 1 if existing else 0
    created = []
    for offset, processed in enumerate(images):
        image = ProductImage(product=product, position=start + offset, alt_text=product.title[:200])
        image.image.save(processed.content.name, processed.content, save=False)
        image.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
        image.save()
        created.append(image)
    return created


@transaction.atomic
def remove_product_image(*, product: Product, image_id: int) -> None:
    image = product.images.filter(pk=image_id).first()
    if image is None:
        raise ValidationError("That image is not part of this product.")
    image.delete()


@transaction.atomic
def move_product_image(*, product: Product, image_id: int, direction: int) -> None:
    """Move an image one place earlier (direction=-1) or later (+1) in the product's gallery."""
    images = list(product.images.select_for_update().order_by("position", "pk"))
    index = next((i for i, img in enumerate(images) if img.pk == image_id), None)
    if index is None:
        raise ValidationError("That image is not part of this product.")
    target = index + (1 if direction > 0 else -1)
    if 0 <= target < len(images):
        images[index], images[target] = images[target], images[index]
    for position, image in enumerate(images):
        image.position = position
    ProductImage.objects.bulk_update(images, ["position"])
