from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shomp.analytics"
    label = "analytics"
    verbose_name = "Store analytics"

    def ready(self) -> None:
        from . import sections

        sections.register()  # H4: the dashboard's Analytics section, the organization's Overview, the live topic
