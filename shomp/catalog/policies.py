"""Who may see and manage products: the permission door's "products" area of the store."""

import rules
from django.http import Http404

from shomp.organizations.areas import Area
from shomp.stores.policies import can

from .models import Product


@rules.predicate
def can_manage_product(user, product: Product | None) -> bool:
    return product is not None and can(user, product.store, Area.PRODUCTS)


@rules.predicate
def can_view_product(user, product: Product | None) -> bool:
    """Published products are public; drafts and archived ones only for the store. A product
    reserved for one buyer (a custom order) is for that buyer and the store only."""
    if product is None:
        return False
    if can(user, product.store, Area.PRODUCTS):
        return True
    if product.status != Product.Status.PUBLISHED:
        return False
    return product.reserved_for_id is None or product.reserved_for_id == getattr(user, "pk", None)


rules.add_perm("catalog.manage_product", can_manage_product)
rules.add_perm("catalog.view_product", can_view_product)


def access_product_for_management(*, user, store, product_id: int) -> Product:
    """A product of the active `store` that `user` may manage, else Http404.

    Scoping by store too means another store's product id in a dashboard URL is a 404."""
    product = Product.objects.select_related("store").filter(pk=product_id, store=store).first()
    if product is None or not can_manage_product(user, product):
        raise Http404("No such product.")
    return product


def store_of_product(*, product_id: int | str, **_) -> int | None:
    """The store a dashboard URL's product belongs to, for the door's store switch (no access
    check: the door switches only to a store the user may work on)."""
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Product.objects.filter(pk=pk).values_list("store_id", flat=True).first()


def access_promotion(*, user, organization_id: int, promotion_id: int):
    """A promotion of the organization whose every covered store `user` may run promotions on;
    Http404 otherwise (never reveal that it exists)."""
    from .models import Promotion
    from .services.promotions import covered_store_ids

    promotion = Promotion.objects.filter(pk=promotion_id, organization_id=organization_id).first()
    if promotion is None:
        raise Http404("No such promotion.")
    from shomp.stores.models import Store

    stores = list(Store.objects.filter(pk__in=covered_store_ids(promotion)))
    if not stores or not all(can(user, store, Area.PROMOTIONS) for store in stores):
        raise Http404("No such promotion.")
    return promotion
