"""What a bulk operation would change, row by row, computed before anything is written.

A plan is a list of changes (plain dicts, kept on the BulkJob as JSON and shown as the preview):

    {"t": "p" | "v", "id": 12, "pid": 3, "sid": 1, "store": "Fern & Kiln", "label": "Mug — M",
     "line": 7 (CSV imports), "price": ["12.00", "10.80"], "base": "12.00" (variants),
     "stock": [4, 10], "status": ["draft", "published"], "error": "", "note": ""}

Prices, decided once here:
- Products: the base price changes; variant modifiers stay as they are (an XL at +2.00 stays
  +2.00 above the new base). A base that would put a variant below zero is refused.
- Variants: the variant's buyer price (base + modifier) changes; its own modifier is set to
  new price - base, so the base and the product's other variants don't move.
- Rounded half up to cents; a price never goes below 0.00 (an amount that would is clamped to
  0.00 and the preview says so). Percentages go from -99.99 % to +1000 %: -100 % or less would
  make everything free, which is refused rather than clamped (set a price instead).
"""

from __future__ import annotations

from decimal import Decimal

from shomp.catalog.models import Product, Variant
from shomp.core.money import MAX_PRICE, quantize

ZERO = Decimal("0.00")
MAX_STOCK = 1_000_000  # the catalog's cap (catalog.services.common.MAX_STOCK)
PERCENT_MIN = Decimal("-99.99")
PERCENT_MAX = Decimal("1000")


class Action:
    PRICE_PERCENT = "price_percent"
    PRICE_AMOUNT = "price_amount"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    ARCHIVE = "archive"
    STOCK_SET = "stock_set"
    STOCK_ADJUST = "stock_adjust"
    IMPORT = "import"

    PRICE = (PRICE_PERCENT, PRICE_AMOUNT)
    STATUS = (PUBLISH, UNPUBLISH, ARCHIVE)
    STOCK = (STOCK_SET, STOCK_ADJUST)
    CHOICES = [
        (PRICE_PERCENT, "Change prices by a percentage"),
        (PRICE_AMOUNT, "Change prices by an amount"),
        (STOCK_SET, "Set stock to"),
        (STOCK_ADJUST, "Adjust stock by (+/-)"),
        (PUBLISH, "Publish"),
        (UNPUBLISH, "Unpublish (back to draft)"),
        (ARCHIVE, "Archive"),
    ]
    LABELS = dict(CHOICES) | {IMPORT: "CSV import"}


def new_price(old: Decimal, *, action: str, value: Decimal) -> tuple[Decimal, bool]:
    """The price after the change, and whether it was clamped at zero."""
    if action == Action.PRICE_PERCENT:
        price = quantize(old * (Decimal(100) + value) / Decimal(100))
    else:
        price = quantize(old + value)
    return (ZERO, True) if price < 0 else (price, False)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{quantize(value):.2f}"


def _base(row_type: str, *, pk: int, product: Product, label: str, line: int | None = None) -> dict:
    return {
        "t": row_type,
        "id": pk,
        "pid": product.pk,
        "sid": product.store_id,
        "store": product.store.name,
        "cur": product.store.currency,
        "label": label,
        "line": line,
        "price": None,
        "base": None,
        "stock": None,
        "status": None,
        "error": "",
        "note": "",
    }


def variant_label(product: Product, variant: Variant) -> str:
    return f"{product.title} — {variant.name}"


def stock_change(change: dict, old: int, *, action: str, value: int) -> None:
    new = value if action == Action.STOCK_SET else old + value
    if new < 0:
        change["error"] = f"That would leave {new:,} in stock: there are only {old:,}."
    elif new > MAX_STOCK:
        change["error"] = f"Stock can be at most {MAX_STOCK:,}."
    elif new != old:
        change["stock"] = [old, new]


def product_change(product: Product, *, action: str, value=None) -> dict:
    change = _base("p", pk=product.pk, product=product, label=product.title)
    if action in Action.PRICE:
        price, clamped = new_price(product.price, action=action, value=value)
        if price > MAX_PRICE:
            change["error"] = "That price would be over 1,000,000.00."
        elif product.has_variants and product.min_modifier is not None and price + product.min_modifier < 0:
            change["error"] = (
                f"At {price:.2f} a variant would cost less than nothing (its modifier is "
                f"{product.min_modifier:.2f}): change the variants' prices instead."
            )
        elif price != product.price:
            change["price"] = [money(product.price), money(price)]
            change["note"] = "Clamped at 0.00." if clamped else ""
    elif action in Action.STOCK:
        if product.is_digital:
            change["note"] = "Digital: no stock to count."
        elif product.has_variants:
            change["note"] = "Stock is counted per variant: choose Variants to change it."
        else:
            stock_change(change, product.stock or 0, action=action, value=value)
    elif action == Action.PUBLISH:
        if product.status == Product.Status.PUBLISHED:
            change["note"] = "Already published."
        elif product.is_digital and not product.digital_file:
            change["error"] = "Upload the file buyers will download before publishing this digital product."
        else:
            change["status"] = [product.status, Product.Status.PUBLISHED]
    elif action == Action.UNPUBLISH:
        if product.status != Product.Status.PUBLISHED:
            change["note"] = "Not published."
        else:
            change["status"] = [product.status, Product.Status.DRAFT]
    elif action == Action.ARCHIVE:
        if product.status == Product.Status.ARCHIVED:
            change["note"] = "Already archived."
        else:
            change["status"] = [product.status, Product.Status.ARCHIVED]
    return change


def variant_price(product: Product, variant: Variant) -> Decimal:
    return max(ZERO, quantize(product.price + variant.effective_price_modifier))


def variant_change(variant: Variant, *, action: str, value=None) -> dict:
    product = variant.product
    change = _base("v", pk=variant.pk, product=product, label=variant_label(product, variant))
    if action in Action.PRICE:
        old = variant_price(product, variant)
        price, clamped = new_price(old, action=action, value=value)
        if price > MAX_PRICE:
            change["error"] = "That price would be over 1,000,000.00."
        elif price != old:
            change["price"] = [money(old), money(price)]
            change["base"] = money(product.price)
            change["note"] = "Clamped at 0.00." if clamped else ""
    elif action in Action.STOCK:
        stock_change(change, variant.inventory_count, action=action, value=value)
        if change["stock"] and not product.tracks_variant_stock:
            change["note"] = "Not tracked: kept for when tracking is on."
    else:
        change["error"] = "Publishing and archiving are for products: choose Products."
    return change


def is_change(change: dict) -> bool:
    return not change["error"] and bool(change["price"] or change["stock"] or change["status"])


def count(changes: list[dict]) -> tuple[int, int]:
    """(rows that change, rows refused)."""
    return sum(1 for c in changes if is_change(c)), sum(1 for c in changes if c["error"])
