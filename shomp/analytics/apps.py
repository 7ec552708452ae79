from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shomp.analytics"
    label = "analytics"
    verbose_name = "Store analytics"
