from .selectors import cart_count, find_cart


def cart(request):
    """The header's cart badge. One query; none for visitors who never made a cart."""
    user = getattr(request, "user", None)
    if user is None or (not user.is_authenticated and not request.session.get("cart_id")):
        return {"cart_count": 0}
    return {"cart_count": cart_count(cart=find_cart(user=user, session=request.session))}
