from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "shomp.bulk"
    label = "bulk"
    verbose_name = "Bulk operations"
