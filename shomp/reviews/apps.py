from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "shomp.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from shomp.core import dashboard

        dashboard.register_section(
            "reviews", label="Reviews", icon="bi-star", url_name="reviews:dashboard", area="reviews", order=50
        )
