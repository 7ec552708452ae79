from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "shomp.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from . import pagecache

        pagecache.register()  # what the shared page cache watches
        from shomp.core import dashboard
        from shomp.core import pagecache as shared_pages

        # A logged-in visitor's own actions on a shared page's reviews load after the page.
        shared_pages.register_hole("review_actions", "reviews/partials/_review_actions_loader.html")

        dashboard.register_section(
            "reviews", label="Reviews", icon="bi-star", url_name="reviews:dashboard", area="reviews", order=50
        )

        # "Write a review" beside the lines of a buyer's order page (orders is below: it asks).
        from shomp.orders import hooks as orders_hooks

        from .selectors import order_review_links

        orders_hooks.register_item_links(order_review_links)
