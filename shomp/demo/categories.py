"""Every demo product in a category of the marketplace tree (catalog/data/categories.json).

The first rule whose words appear in a product's title decides; otherwise the store's usual
category. Idempotent: only demo products still in "Other" are moved, so a category a seller or
the admin chose later stands.
"""

from django.db import transaction

from shomp.catalog.models import DEFAULT_CATEGORY_SLUG, Category, Product

# (words in the title, category slug), first match wins.
RULES = [
    (("pattern",), "patterns-and-tutorials"),
    (
        ("workbook", "workshop", "sizing guide", "starter notes", "glaze recipe", "for beginners"),
        "patterns-and-tutorials",
    ),
    (("colouring book", "printable"), "digital-downloads"),
    (("sample pack",), "samples-and-loops"),
    (("vinyl", "cassette"), "records"),
    (("print edition",), "books"),
    (("poster", "print", "giclée", "calendar", "study"), "prints"),
    (("album", "single", "ep", "mix"), "digital-albums"),
    (("greeting cards", "bookmark", "prompts deck"), "home-and-living"),
    (("tote",), "bags-and-accessories"),
    (("yarn", "skeins", "needle roll"), "craft-supplies"),
    (("mug", "mugs", "dripper"), "mugs-and-cups"),
    (("bowl", "bowls"), "bowls-and-plates"),
    (("vase",), "vases-and-planters"),
    (("cruet",), "home-and-living"),
    (("sweater",), "knitwear"),
    (("beanie", "socks", "cowl"), "hats-and-scarves"),
    (("ring",), "rings"),
    (("earrings",), "earrings"),
    (("necklace", "pendant"), "necklaces"),
    (("bracelet", "cuff", "anklet"), "bracelets"),
    (("zine",), "zines"),
]
STORE_DEFAULTS = {
    "inkwell-and-ash": "prints",
    "fern-and-kiln": "ceramics",
    "purl-theory": "knitwear",
    "marginalia-press": "books",
    "low-tide-audio": "music-and-audio",
    "silver-thread": "jewellery",
}


def category_slug_for(*, title: str, store_slug: str, is_digital: bool) -> str:
    words = f" {title.lower().replace(',', ' ').replace('(', ' ').replace(')', ' ')} "
    for needles, slug in RULES:
        if any(f" {needle} " in words or (len(needle) > 4 and needle in words) for needle in needles):
            return slug
    if is_digital and store_slug == "marginalia-press":
        return "ebooks"
    return STORE_DEFAULTS.get(store_slug, DEFAULT_CATEGORY_SLUG)


@transaction.atomic
def seed(*, stores: dict, created) -> None:
    """`stores` maps a slug to its Store (seed_demo's)."""
    categories = {category.slug: category for category in Category.objects.all()}
    products = Product.objects.filter(
        store__in=list(stores.values()), category__slug=DEFAULT_CATEGORY_SLUG
    ).select_related("store")
    for product in products:
        slug = category_slug_for(title=product.title, store_slug=product.store.slug, is_digital=product.is_digital)
        category = categories.get(slug)
        if category is not None and category.slug != DEFAULT_CATEGORY_SLUG:
            product.category = category
            product.save(update_fields=["category", "updated_at"])
            created["categorized"] += 1
