from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "shomp.stores"
    verbose_name = "Stores"
    label = "stores"

    def ready(self) -> None:
        from . import pagecache

        pagecache.register()  # the shared page cache: slugs, stores
        # The organization pages are dashboard pages, behind this app's door; organizations
        # sits below stores, so the door is lent to it here (see organizations.dashboard).
        from shomp.core import dashboard
        from shomp.organizations.dashboard import set_store_door

        from .policies import active_store_required

        set_store_door(active_store_required)
        dashboard.register_section(
            "store", label="Store settings", icon="bi-shop", url_name="stores:edit", area="settings", order=90
        )
        # The organization pages' Stores tab (the page is this app's: it opens stores).
        dashboard.register_section(
            "stores",
            label="Stores",
            icon="bi-shop-window",
            url_name="stores:organization",
            order=20,
            scope=dashboard.ORGANIZATION,
        )
