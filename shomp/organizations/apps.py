from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "shomp.organizations"
    label = "organizations"
    verbose_name = "Organizations"
