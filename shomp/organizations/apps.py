from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "shomp.organizations"
    label = "organizations"
    verbose_name = "Organizations"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from shomp.core import dashboard, pagecache

        # A store's pages show its team management bits (edit, their own store's notes): anyone
        # on a team gets store pages rendered for them, as before, never the shared page.
        pagecache.register_own_pages(_on_a_team)

        # Logging in counts as activity in every team (one UPDATE, as Django's last_login).
        user_logged_in.connect(_note_login, dispatch_uid="organizations_note_login")

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


def _on_a_team(request, scope: str, store_slug: str) -> bool:
    """Store pages (not the pages of many stores, which show no management bits) of a member of
    any organization: one small query (policies.on_any_team)."""
    from shomp.core.pagecache import STORE

    from .policies import on_any_team

    return scope == STORE and on_any_team(request.user)


def _note_login(sender, request, user, **kwargs) -> None:
    from .services import note_login

    note_login(user=user)
