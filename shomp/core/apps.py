from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shomp.core"
    label = "core"
    verbose_name = "Shomp core"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
