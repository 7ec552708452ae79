from django.apps import AppConfig


def on_wishlist_added(*, store_id: int, product_id: int, variant_id: int | None, user_id: int) -> None:
    from .services import ConversionType, track_conversion

    track_conversion(
        store_id=store_id,
        conversion_type=ConversionType.WISHLIST_ADD,
        user_id=user_id,
        product_id=product_id,
        variant_id=variant_id,
    )


class AnalyticsConfig(AppConfig):
    name = "shomp.analytics"
    label = "analytics"
    verbose_name = "Store analytics"

    def ready(self) -> None:
        # The moments analytics counts as conversions (shomp.core.hooks): the apps below send
        # them on commit and never import analytics.
        from shomp.follows import hooks as follows_hooks
        from shomp.messaging import hooks as messaging_hooks
        from shomp.orders import hooks as orders_hooks
        from shomp.wishlists import hooks as wishlists_hooks

        from . import services

        orders_hooks.cart_added.connect(services.on_cart_added)
        orders_hooks.checkout_started.connect(services.on_checkout_started)
        orders_hooks.order_placed.connect(services.on_order_placed)
        orders_hooks.order_cancelled.connect(services.on_order_voided)
        orders_hooks.order_refunded.connect(services.on_order_voided)
        follows_hooks.store_followed.connect(services.on_store_followed)
        messaging_hooks.conversation_started.connect(services.on_conversation_started)
        wishlists_hooks.wishlist_added.connect(on_wishlist_added)

        from . import sections

        sections.register()  # H4: the dashboard's Analytics section, the organization's Overview, the live topic
