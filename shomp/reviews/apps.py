from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "shomp.reviews"
    label = "reviews"
    verbose_name = "Reviews"
