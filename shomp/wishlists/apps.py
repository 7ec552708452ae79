from django.apps import AppConfig


class WishlistsConfig(AppConfig):
    name = "shomp.wishlists"
    label = "wishlists"
    verbose_name = "Wishlists"

    def ready(self) -> None:
        from shomp.core import header

        header.register_account_link(
            "wishlists", label="Wishlists", icon="bi-heart", url_name="wishlists:index", order=20
        )
        from shomp.core import dashboard

        dashboard.register_section(
            "wishlists",
            label="Wishlists",
            icon="bi-heart",
            url_name="wishlists:dashboard_insights",
            area="analytics",
            order=37,
        )
        from shomp.catalog import hooks as catalog_hooks

        from . import alerts

        # Any change of what a saver would pay, or of whether they can buy it, queues the check.
        catalog_hooks.price_changed.connect(alerts.queue_price_check)
        catalog_hooks.restocked.connect(alerts.queue_stock_check)
        # A promotion started or a running one was edited: its saved items are checked for drops.
        catalog_hooks.promotion_prices_changed.connect(alerts.queue_promotion_price_check)
        # (A promotion that tells followers is announced to followers by follows; its savers hear
        # of it once, as the price drop above, not a second time as a sale notice.)
