from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "shomp.stores"
    label = "stores"
