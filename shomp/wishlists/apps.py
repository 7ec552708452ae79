from django.apps import AppConfig


class WishlistsConfig(AppConfig):
    name = "shomp.wishlists"
    label = "wishlists"
    verbose_name = "Wishlists"
