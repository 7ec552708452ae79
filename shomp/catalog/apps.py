from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shomp.catalog"
    verbose_name = "Catalog"
    label = "catalog"

    def ready(self):
        from . import pagecache

        pagecache.register()  # what the shared page cache watches
        from django.db.models.signals import post_migrate

        from shomp.core import dashboard

        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="catalog.categories_and_search")

        dashboard.register_section(
            "products",
            label="Products",
            icon="bi-box-seam",
            url_name="catalog:dashboard_products",
            area="products",
            order=20,
        )
        dashboard.register_section(
            "promotions",
            label="Promotions",
            icon="bi-tags",
            url_name="catalog:dashboard_promotions",
            area="promotions",
            order=25,
        )


def _after_migrate(*, using: str = "default", **kwargs) -> None:
    """The shipped categories exist (a flushed test database loses the migration's rows) and, on
    SQLite, the search table's triggers are in place (a later table rebuild drops them)."""
    from django.db import connections

    from .search import install_sqlite_index
    from .services.categories import sync_categories

    sync_categories()
    install_sqlite_index(connections[using])
