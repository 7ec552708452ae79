from django.apps import AppConfig


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

        from . import services

        orders_hooks.cart_added.connect(services.on_cart_added)
        orders_hooks.checkout_started.connect(services.on_checkout_started)
        orders_hooks.order_placed.connect(services.on_order_placed)
        follows_hooks.store_followed.connect(services.on_store_followed)
        messaging_hooks.conversation_started.connect(services.on_conversation_started)

        from . import sections

        sections.register()  # H4: the dashboard's Analytics section, the organization's Overview, the live topic
