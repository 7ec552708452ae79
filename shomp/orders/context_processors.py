from .selectors import visitor_cart_count


def cart(request):
    """The header's cart badge: one query, none for visitors who never made a cart. It runs on
    every page, and on every shared page's hit of a visitor with a session (core.pagecache)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"cart_count": 0}
    return {"cart_count": visitor_cart_count(user=user, session=request.session)}
