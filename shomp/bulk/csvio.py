"""Inventory and price CSV: export, and the import's reading and checking (no writes here).

Columns: store, product, variant, sku, price, stock (in any order; an extra `title` column is
read as a note and ignored). One row per simple product (variant empty: price is the product's
price, stock its own count, empty for digital) and one per live variant (price is what a buyer
pays for it, base + modifier; stock its count). A row is found by store + SKU when it has one,
else by store + product (its slug) + variant (its name). Empty price or stock: unchanged.

Exports neutralise spreadsheet formulas: a cell starting with = + - @ tab or CR gets a leading
apostrophe, which the import takes off again. Imports are UTF-8 (a BOM is fine); any other
encoding is refused with the line of the first bad byte rather than guessed (a wrong guess
would write wrong names without a word). The limits are defined once here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from shomp.catalog.models import Product, Variant
from shomp.core.money import MAX_PRICE
from shomp.stores.models import Store

from .plans import MAX_STOCK, _base, money, variant_label, variant_price

COLUMNS = ("store", "product", "variant", "sku", "price", "stock")
EXPORT_COLUMNS = ("store", "product", "title", "variant", "sku", "price", "stock")
IGNORED_COLUMNS = frozenset({"title"})
#: The most data lines an import takes (a 10,000-line file previews in about a second).
MAX_IMPORT_LINES = 50_000
#: The most bytes an import takes (50,000 lines of a typical export are about 3 MB).
MAX_IMPORT_BYTES = 10 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PRICE_RE = re.compile(r"^\d+(\.\d+)?$")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo `neutralise` on a cell read back from our own export."""
    text = text.strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_lines(*, products: Iterable[Product], variants: Iterable[Variant]) -> Iterator[str]:
    """CSV text, a line at a time (for a streaming response): the header, then the rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)  # the BOM tells spreadsheets it is UTF-8
    for product in products:
        stock = "" if product.is_digital else product.stock
        row = (product.store.slug, product.slug, product.title, "", "", money(product.price), stock)
        yield writer.writerow([neutralise(cell) for cell in row])
    for variant in variants:
        product = variant.product
        row = (
            product.store.slug,
            product.slug,
            product.title,
            variant.name,
            variant.sku,
            money(variant_price(product, variant)),
            variant.inventory_count,
        )
        yield writer.writerow([neutralise(cell) for cell in row])


class FileRefused(ValueError):
    """The whole file can't be read (size, encoding, headers): a message for the file field."""


@dataclass
class ParsedImport:
    changes: list[dict] = field(default_factory=list)
    lines: int = 0


def decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise FileRefused(
            f"This file is {len(data) / 1024 / 1024:.1f} MB; an import takes at most "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FileRefused(
            f"Line {line}: this file isn't UTF-8 text. Save it as “CSV UTF-8” from your spreadsheet "
            "app (or export a fresh file here) and try again."
        ) from None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines - 1 > MAX_IMPORT_LINES:
        raise FileRefused(
            f"This file has {lines - 1:,} lines; an import takes at most {MAX_IMPORT_LINES:,}. "
            "Split it into smaller files."
        )
    return text


def _price(text: str) -> tuple[Decimal | None, str]:
    if not text:
        return None, ""
    if not PRICE_RE.match(text):
        if text.startswith("-") and PRICE_RE.match(text[1:]):
            return None, f"price “{text}” is negative."
        return None, f"price “{text[:40]}” isn't a price: write it like 12.50."
    if "." in text and len(text.split(".")[1]) > 2:
        return None, f"price “{text}” has more than two decimals."
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None, f"price “{text[:40]}” isn't a price: write it like 12.50."
    if price > MAX_PRICE:
        return None, "price is over 1,000,000.00."
    return price, ""


def _stock(text: str) -> tuple[int | None, str]:
    if not text:
        return None, ""
    try:
        stock = int(text)
    except ValueError:
        return None, f"stock “{text[:40]}” isn't a whole number."
    if stock < 0:
        return None, f"stock can't be negative ({stock})."
    if stock > MAX_STOCK:
        return None, f"stock can be at most {MAX_STOCK:,}."
    return stock, ""


def _error_row(line: int, message: str, label: str = "") -> dict:
    return {
        "t": "",
        "id": None,
        "pid": None,
        "sid": None,
        "store": "",
        "cur": "USD",
        "label": label,
        "line": line,
        "price": None,
        "base": None,
        "stock": None,
        "status": None,
        "error": f"Line {line}: {message}",
        "note": "",
    }


def parse_import(*, data: bytes, stores: list[Store]) -> ParsedImport:
    """Read and check every line against the stores the user may bulk-edit (few queries,
    whatever the file's size). Raises FileRefused for a file that can't be read at all."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRefused("This file is empty: export a file here, change it, and import it.") from None
    except csv.Error as error:
        raise FileRefused(f"Line 1: this isn't a CSV file ({error}).") from None
    names = [restore(cell).lower() for cell in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n and n not in COLUMNS and n not in IGNORED_COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        raise FileRefused(
            "Line 1: the columns must be " + ", ".join(COLUMNS) + f" (this file has: {', '.join(names)[:200]})."
        )
    at = {name: names.index(name) for name in COLUMNS}
    by_slug = {store.slug: store for store in stores}
    store_ids = [store.pk for store in stores]
    products = {
        (p.store_id, p.slug): p
        for p in Product.objects.filter(store_id__in=store_ids, reserved_for__isnull=True).select_related("store")
    }
    by_pk = {p.pk: p for p in products.values()}
    by_sku: dict[tuple[int, str], Variant] = {}
    by_name: dict[tuple[int, str, str], Variant] = {}
    for variant in Variant.objects.filter(store_id__in=store_ids, archived_at__isnull=True).only(
        "pk", "product_id", "store_id", "name", "sku", "price_modifier", "options_price_modifier", "inventory_count"
    ):
        product = by_pk.get(variant.product_id)
        if product is None:
            continue
        variant.product = product
        if variant.sku:
            by_sku[(variant.store_id, variant.sku.casefold())] = variant
        by_name[(product.store_id, product.slug, variant.name.casefold())] = variant
    result = ParsedImport()
    seen: dict[tuple[str, int], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            result.lines += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                result.changes.append(_error_row(line, f"{len(cells)} cells, but the header has {len(names)}."))
                continue
            value = {name: restore(cells[index]) for name, index in at.items()}
            change = _read_line(line, value, by_slug, products, by_sku, by_name)
            if change["id"] is not None and not change["error"]:
                key = (change["t"], change["id"])
                if key in seen:
                    change["error"] = f"Line {line}: changes the same item as line {seen[key]}."
                else:
                    seen[key] = line
            result.changes.append(change)
    except csv.Error as error:
        result.changes.append(_error_row(reader.line_num, f"this line can't be read ({error})."))
    return result


def _read_line(line, value, by_slug, products, by_sku, by_name) -> dict:
    store = by_slug.get(value["store"].lower())
    label = " — ".join(v for v in (value["product"], value["variant"]) if v) or value["sku"]
    if store is None:
        return _error_row(line, f"no store “{value['store'][:60]}” that you can bulk-edit.", label)
    price, price_error = _price(value["price"])
    stock, stock_error = _stock(value["stock"])
    variant = None
    if value["sku"]:
        variant = by_sku.get((store.pk, value["sku"].casefold()))
        if variant is None:
            return _error_row(line, f"no SKU “{value['sku'][:60]}” in {store.name}.", label)
    elif value["variant"]:
        variant = by_name.get((store.pk, value["product"].lower(), value["variant"].casefold()))
        if variant is None:
            return _error_row(
                line, f"no variant “{value['variant'][:60]}” of “{value['product'][:60]}” in {store.name}.", label
            )
    if variant is not None:
        product = variant.product
        change = _base("v", pk=variant.pk, product=product, label=variant_label(product, variant), line=line)
        old_price, old_stock = variant_price(product, variant), variant.inventory_count
    else:
        product = products.get((store.pk, value["product"].lower()))
        if product is None:
            return _error_row(line, f"no product “{value['product'][:60]}” in {store.name}.", label)
        change = _base("p", pk=product.pk, product=product, label=product.title, line=line)
        old_price, old_stock = product.price, product.stock
        if product.has_variants:
            stock_error = stock_error or (
                "this product has variants: give each variant's price and stock on its own line."
                if (price is not None or stock is not None)
                else ""
            )
        elif stock is not None and product.is_digital:
            stock_error = stock_error or "a digital product has no stock: leave it empty."
    errors = [e for e in (price_error, stock_error) if e]
    if errors:
        change["error"] = f"Line {line}: " + " ".join(errors)
        return change
    if price is not None and price != old_price:
        change["price"] = [money(old_price), money(price)]
        if variant is not None:
            change["base"] = money(product.price)
    if stock is not None and stock != (old_stock or 0):
        change["stock"] = [old_stock or 0, stock]
    if not change["price"] and not change["stock"]:
        change["note"] = "Unchanged."
    return change
