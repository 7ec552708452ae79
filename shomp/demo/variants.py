"""The demo's products with options and variants: a print in three sizes and two papers, a
beanie in four colours and two sizes, a mug in three glazes with made-to-order stock off.

Called by `seed_demo` inside its transaction, after the stores exist. Everything goes through the
catalog services, as the variant manager would do it. Idempotent: a product is found by its store
and slug, and an existing one is left as it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from shomp.catalog import services as catalog
from shomp.catalog.models import Product
from shomp.core import uploads
from shomp.demo import samples
from shomp.stores.models import Store


@dataclass(frozen=True)
class DemoVariantProduct:
    store: str  # the store's slug
    title: str
    price: str
    description: str
    options: list[tuple[str, list[str]]]
    modifiers: dict[str, str] = field(default_factory=dict)  # option value -> price modifier
    # Stock per variant name ("A3 / Matte"); variants not named get `default_stock`.
    stock: dict[str, int] = field(default_factory=dict)
    default_stock: int = 8
    # The colour option's values, in order, get the product's images in order (one per colour).
    image_option: str = ""
    track_inventory: bool = True
    sku_prefix: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.title)


PRODUCTS = [
    DemoVariantProduct(
        store="inkwell-and-ash",
        title="Harbour Lights Art Print",
        price="18.00",
        description="The harbour at blue hour, printed to order on archival paper. Choose the size and the "
        "paper finish; larger sizes cost a little more.",
        options=[("Size", ["A4", "A3", "A2"]), ("Paper", ["Matte", "Glossy"])],
        modifiers={"A3": "8.00", "A2": "20.00", "Glossy": "2.50"},
        stock={"A2 / Glossy": 0, "A2 / Matte": 2, "A3 / Glossy": 3},
        sku_prefix="HL",
    ),
    DemoVariantProduct(
        store="purl-theory",
        title="Seaglass Merino Beanie",
        price="34.00",
        description="A ribbed beanie knitted in soft merino, in four seaglass colours. Child size fits ages 4 to 10.",
        options=[("Colour", ["Teal", "Coral", "Navy"]), ("Size", ["Child", "Adult"])],
        modifiers={"Child": "-6.00"},
        stock={"Coral / Child": 0, "Navy / Adult": 1, "Teal / Child": 2},
        image_option="Colour",
        sku_prefix="BEANIE",
    ),
    DemoVariantProduct(
        store="fern-and-kiln",
        title="Speckled Stoneware Mug, Made to Order",
        price="26.00",
        description="Thrown and glazed to order in your choice of glaze; ships in about three weeks.",
        options=[("Colour", ["Olive", "Tan", "SteelBlue"])],
        modifiers={"SteelBlue": "3.00"},
        image_option="Colour",
        track_inventory=False,
        sku_prefix="MUG",
    ),
]


def seed(*, stores: dict[str, Store], created: Counter) -> None:
    for number, spec in enumerate(PRODUCTS):
        store = stores.get(spec.store)
        if store is None or Product.objects.filter(store=store, slug=spec.slug).exists():
            continue
        _make(store, spec, seed=90 + number * 5)
        created["products with variants"] += 1


def _rgb(colour: str) -> tuple[int, int, int] | None:
    """The colour a value names ("Coral"), for its picture; None for a value that isn't a colour."""
    swatch = catalog.swatch_for(colour) if colour else ""
    return tuple(int(swatch[i : i + 2], 16) for i in (1, 3, 5)) if swatch else None


def _make(store: Store, spec: DemoVariantProduct, *, seed: int) -> Product:
    colours = dict(spec.options).get(spec.image_option, [])
    images = [
        uploads.process_image(
            samples.product_image(title=spec.title, seed=seed + n, variant=n % 3, colour=_rgb(colour))
        )
        for n, colour in enumerate(colours[:3] or [""])
    ]
    product = catalog.create_product(
        store=store,
        title=spec.title,
        description=spec.description,
        price=Decimal(spec.price),
        kind=Product.Kind.PHYSICAL,
        stock=0,
        images=images,
    )
    for name, values in spec.options:
        option = catalog.add_product_option(product=product, name=name, values=values)
        for value in option.values.all():
            if value.value in spec.modifiers:
                catalog.set_option_value_modifier(value=value, price_modifier=Decimal(spec.modifiers[value.value]))
    catalog.set_inventory_settings(product=product, track_inventory=spec.track_inventory, low_stock_threshold=3)
    image_ids = {colour: image.pk for colour, image in zip(colours, product.images.order_by("position"), strict=False)}
    for variant in catalog.generate_variants(product=product):
        parts = variant.name.split(" / ")
        colour = next((part for part in parts if part in image_ids), None)
        catalog.update_variant(
            variant=variant,
            sku="-".join([spec.sku_prefix, *(slugify(part).upper() for part in parts)]),
            image_id=image_ids.get(colour) if colour else None,
        )
        stock = spec.stock.get(variant.name, spec.default_stock)
        if stock:
            catalog.manage_inventory(variant=variant, action="set", quantity=stock, reason="Opening stock")
    return catalog.publish_product(product=product)
