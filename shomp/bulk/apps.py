from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "shomp.bulk"
    label = "bulk"
    verbose_name = "Bulk operations"

    def ready(self) -> None:
        from shomp.core import dashboard

        # The page itself asks for "products" and "promotions" (policies.AREAS); the menu link
        # shows for "promotions" ("Promotions and bulk operations" in the role table).
        dashboard.register_section(
            "bulk", label="Bulk edit", icon="bi-ui-checks-grid", url_name="bulk:home", area="promotions", order=25
        )
