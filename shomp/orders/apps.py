from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shomp.orders"
    verbose_name = "Orders and payments"
    label = "orders"

    def ready(self):
        from shomp.core import header

        header.register_account_link("orders", label="My orders", icon="bi-receipt", url_name="orders:list", order=10)
        header.register_account_link(
            "addresses", label="Addresses", icon="bi-geo-alt", url_name="orders:addresses", order=12
        )
        header.register_account_link(
            "dashboard", label="Seller dashboard", icon="bi-shop", url_name="orders:dashboard_home", order=50
        )
        from django.contrib.auth.signals import user_logged_in

        from shomp.core import dashboard, realtime
        from shomp.core.params import parse_id
        from shomp.organizations.areas import Area
        from shomp.stores.models import Store
        from shomp.stores.policies import can

        from . import services
        from .selectors import CART_SESSION_KEY

        def authorize_store_orders(user, store_id: str) -> bool:
            pk = parse_id(store_id)  # "²".isdigit() too: a traceback in the log before
            store = Store.objects.filter(pk=pk).first() if pk is not None else None
            # Asked again before every push (core.consumers), so a member who loses "orders.view"
            # stops receiving the next event.
            return can(user, store, Area.ORDERS_VIEW)

        realtime.register_topic("store-orders", authorize_store_orders)

        def merge_cart_on_login(sender, request, user, **kwargs):
            # Django keeps session data across the login's key rotation, so the anonymous
            # cart id is still here; the service moves its lines into the user's cart.
            if request is not None and hasattr(request, "session"):
                services.merge_carts(user=user, anonymous_cart_id=request.session.pop(CART_SESSION_KEY, None))

        user_logged_in.connect(merge_cart_on_login, dispatch_uid="orders.merge_cart_on_login")

        # The dashboard home opens for every member of the store's team (area None).
        dashboard.register_section(
            "home", label="Overview", icon="bi-speedometer2", url_name="orders:dashboard_home", order=10
        )
        dashboard.register_section(
            "orders",
            label="Orders",
            icon="bi-receipt",
            url_name="orders:dashboard_orders",
            area="orders.view",
            order=30,
        )
        dashboard.register_section(
            "shipping",
            label="Shipping",
            icon="bi-truck",
            url_name="orders:dashboard_shipping",
            area="settings",
            order=88,
        )
