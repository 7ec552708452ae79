from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shomp.core"
    label = "core"
    verbose_name = "Shomp core"
