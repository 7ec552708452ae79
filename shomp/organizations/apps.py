from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "shomp.organizations"
    label = "organizations"
    verbose_name = "Organizations"

    def ready(self):
        from shomp.core import dashboard

        # The dashboard menu's way in; every member of the store's team may open the organization pages.
        dashboard.register_section(
            "organization", label="Team", icon="bi-person-badge", url_name="organizations:members", order=80
        )
        # The organization pages' tabs (the stores app adds its Stores tab).
        organization = dashboard.ORGANIZATION
        dashboard.register_section(
            "members", label="Members", icon="bi-people", url_name="organizations:members", order=10, scope=organization
        )
        dashboard.register_section(
            "settings",
            label="Settings",
            icon="bi-gear",
            url_name="organizations:settings",
            area="settings",
            order=90,
            scope=organization,
        )
