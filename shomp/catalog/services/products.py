"""Products, their images and publishing.

Images from the seller's form arrive checked from their headers only (CheckedImage): they are
stored as received, in private storage, as "processing" rows, and `process_product_images_task`
(the "media" queue: one worker, one decode at a time) is queued on commit; the worker decodes
each, stores the clean image and thumbnail and marks it ready, or failed with the reason for
the seller. Already processed images (ProcessedImage: the demo data) are stored ready at once.
"""

import logging
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from shomp.core import pagecache, ratelimit
from shomp.core.exceptions import RateLimited
from shomp.core.money import MAX_PRICE, format_money, quantize
from shomp.core.uploads import (
    IMAGE_MAX_BYTES,
    CheckedImage,
    ProcessedFile,
    ProcessedImage,
    process_image,
    random_name,
)

from .. import hooks
from ..models import (
    IMAGE_ERROR_MAX_LENGTH,
    MAX_TAGS,
    PRODUCT_IMAGE_MAX_PIXELS,
    PRODUCT_IMAGE_MAX_SIDE,
    Category,
    ImageStatus,
    Product,
    ProductImage,
)

logger = logging.getLogger(__name__)

MAX_IMAGES = 10
# Per store, per hour: images handed to the worker (a seller listing twenty products an hour
# with ten images each stays under it; a script flooding the media queue does not).
IMAGE_UPLOADS_PER_HOUR = 200
_SOURCE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_FAILED_FALLBACK = "We couldn't process this image."

Image = ProcessedImage | CheckedImage


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


def normalize_tags(text: str) -> str:
    """ "Mug,  stoneware , gift, mug" -> "mug, stoneware, gift": lowercased, de-duplicated, at most
    MAX_TAGS of at most 40 characters each."""
    tags = []
    for part in (text or "").split(","):
        tag = " ".join(part.split()).lower()[:40]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": f"Use at most {MAX_TAGS} tags."})
    return ", ".join(tags)


def _check_category(category: int | Category) -> int:
    pk = category.pk if isinstance(category, Category) else category
    if not Category.objects.filter(pk=pk).exists():
        raise ValidationError({"category": "Choose a category from the list."})
    return pk


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
    images: Sequence[Image] = (),
    digital_file: ProcessedFile | None = None,
    publish: bool = False,
    category: int | Category | None = None,
    tags: str = "",
) -> Product:
    """A new product, a draft unless `publish`; with `publish` it is created live or not at all.
    Without a category it goes to "Other"."""
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
        tags=normalize_tags(tags),
    )
    if category is not None:
        product.category_id = _check_category(category)
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
    images: Sequence[Image] = (),
    category: int | Category | None = None,
    tags: str | None = None,
) -> Product:
    """Save the product's fields and add `images`: all of it, or (on ValidationError) none of it.
    A category or tags left as None stay as they are."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the product a title."})
    before = Product.objects.filter(pk=product.pk).values("price", "stock").first() or {}
    product.title = title
    product.description = (description or "").strip()
    product.price = _validate_price(price)
    product.kind = kind
    if category is not None:
        product.category_id = _check_category(category)
    if tags is not None:
        product.tags = normalize_tags(tags)
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
    if before and before["price"] != product.price:
        hooks.price_changed.send_on_commit(
            product_id=product.pk, variant_id=None, old_price=before["price"], new_price=product.price
        )
    if before and before["stock"] is not None and before["stock"] <= 0 and (product.stock is None or product.stock > 0):
        hooks.restocked.send_on_commit(product_id=product.pk, variant_id=None, restock_id=hooks.restock_id())
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
    pagecache.bump(store_ids=[product.store_id])
    product.refresh_from_db()
    return product


@transaction.atomic
def archive_product(*, product: Product) -> Product:
    """Archived products leave the store and search but stay in past orders."""
    Product.objects.filter(pk=product.pk).update(status=Product.Status.ARCHIVED, updated_at=timezone.now())
    pagecache.bump(store_ids=[product.store_id])
    product.refresh_from_db()
    return product


@transaction.atomic
def add_product_images(*, product: Product, images: Sequence[Image]) -> list[ProductImage]:
    """Add `images` after the product's others: processed ones ready, checked ones "processing"
    until the worker has decoded them. Refused beyond MAX_IMAGES or the store's hourly limit."""
    if not images:
        return []
    existing = product.images.count()
    if existing + len(images) > MAX_IMAGES:
        raise ValidationError({"images": f"A product can have at most {MAX_IMAGES} images."})
    if waiting := sum(isinstance(image, CheckedImage) for image in images):
        try:
            ratelimit.hit(
                key=f"product-images:{product.store_id}",
                limit=IMAGE_UPLOADS_PER_HOUR,
                window_seconds=3600,
                message=(
                    f"This store has added the most images we take in an hour ({IMAGE_UPLOADS_PER_HOUR}). "
                    "Please add these later, or save the product without them."
                ),
                cost=waiting,
            )
        except RateLimited as refused:
            raise ValidationError({"images": refused.message}) from None
    start = (product.images.aggregate(m=Max("position"))["m"] or 0) + 1 if existing else 0
    created = []
    for offset, image in enumerate(images):
        row = ProductImage(product=product, position=start + offset, alt_text=product.title[:200])
        if isinstance(image, ProcessedImage):
            row.image.save(image.content.name, image.content, save=False)
            row.thumbnail.save(image.thumbnail.name, image.thumbnail, save=False)
        else:
            row.status = ImageStatus.PROCESSING
            row.source.save(random_name(_SOURCE_EXTENSIONS[image.format]), image.upload, save=False)
        row.save()
        created.append(row)
    if waiting:
        product_id = product.pk
        transaction.on_commit(lambda: _enqueue_processing(product_id))
    return created


def _enqueue_processing(product_id: int) -> None:
    from .. import tasks  # tasks.py imports these services

    tasks.process_product_images_task.enqueue(product_id=product_id)


def process_product_images(*, product_id: int) -> int:
    """The worker: decode the product's waiting images; how many it finished.

    Decoding runs outside any transaction; the result is stored only if the row still waits for
    the same source (the seller may have removed it meanwhile), so running this again, or late,
    changes nothing."""
    waiting = ProductImage.objects.filter(product_id=product_id, status=ImageStatus.PROCESSING).order_by(
        "position", "pk"
    )
    return sum(_process_image(row) for row in waiting)


def _process_image(row: ProductImage) -> int:
    if not row.source:
        return 0
    source = row.source.name
    processed, error = None, ""
    try:
        with row.source.open("rb") as upload:
            processed = process_image(
                upload, max_bytes=IMAGE_MAX_BYTES, max_pixels=PRODUCT_IMAGE_MAX_PIXELS, max_side=PRODUCT_IMAGE_MAX_SIDE
            )
    except FileNotFoundError:  # removed meanwhile, with its row
        return 0
    except ValidationError as refusal:
        logger.info("A product image was refused by the worker: %s", refusal.messages)
        error = (" ".join(refusal.messages) or _FAILED_FALLBACK)[:IMAGE_ERROR_MAX_LENGTH]
    with transaction.atomic():
        row = (
            ProductImage.objects.select_for_update()
            .filter(pk=row.pk, status=ImageStatus.PROCESSING, source=source)
            .first()
        )
        if row is None:
            return 0
        if processed is not None:
            row.image.save(processed.content.name, processed.content, save=False)
            row.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
            row.status = ImageStatus.READY
        else:
            row.status, row.error = ImageStatus.FAILED, error
        row.source = ""
        row.save()
        _delete_on_commit(row.source.storage, source)
    return 1


def _delete_on_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def remove_product_image(*, product: Product, image_id: int) -> None:
    image = product.images.filter(pk=image_id).first()
    if image is None:
        raise ValidationError("That image is not part of this product.")
    if image.source:  # the upload as received, metadata and all: not kept once its row is gone
        _delete_on_commit(image.source.storage, image.source.name)
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
    pagecache.bump(store_ids=[product.store_id])
