from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shomp.catalog"
    label = "catalog"
