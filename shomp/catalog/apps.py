from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shomp.catalog"
    label = "catalog"

    def ready(self):
        from shomp.core import dashboard

        dashboard.register_section(
            "products",
            label="Products",
            icon="bi-box-seam",
            url_name="catalog:dashboard_products",
            area="products",
            order=20,
        )
