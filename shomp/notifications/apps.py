from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shomp.notifications"
    verbose_name = "Notifications"
    label = "notifications"

    def ready(self):
        from shomp.core import header

        header.register_account_link(
            "notifications", label="Notifications", icon="bi-bell", url_name="notifications:centre", order=40
        )
        header.register_account_link(
            "notification-settings",
            label="Notification settings",
            icon="bi-bell-slash",
            url_name="notifications:preferences",
            order=70,
        )
        from shomp.core import realtime

        from .events import TOPIC_KIND
        from .policies import can_follow_user_notifications

        realtime.register_topic(TOPIC_KIND, can_follow_user_notifications)

        # Orders and the catalog are below: they announce, this app tells buyers and teams.
        from shomp.catalog import hooks as catalog_hooks
        from shomp.orders import hooks as orders_hooks

        from . import notices

        orders_hooks.order_placed.connect(notices.new_order)
        orders_hooks.order_shipped.connect(notices.order_shipped)
        orders_hooks.order_delivered.connect(notices.order_delivered)
        orders_hooks.order_cancelled.connect(notices.order_cancelled)
        orders_hooks.order_refunded.connect(notices.order_refunded)
        catalog_hooks.out_of_stock.connect(notices.out_of_stock)
