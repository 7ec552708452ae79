from functools import cache

from .selectors import visitor_cart_count


def cart(request):
    """The header's cart badge: one query, made when a template first shows it (a page that
    counts its lines itself, the cart page, puts its own `cart_count` in its context and makes
    none); none for visitors who never made a cart. It runs on every page, and on every shared
    page's hit of a visitor with a session (core.pagecache)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"cart_count": 0}

    @cache
    def count() -> int:
        return visitor_cart_count(user=user, session=request.session)

    return {"cart_count": count}
