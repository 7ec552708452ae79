from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_themes(sender, **kwargs) -> None:
    """The shipped themes after every migrate (and after a test database is flushed): a change
    to data/themes.json reaches the database without a new migration."""
    from .services import sync_themes

    sync_themes()


class ThemesConfig(AppConfig):
    name = "shomp.themes"
    verbose_name = "Store themes"
    label = "themes"

    def ready(self):
        from . import pagecache

        pagecache.register()  # what the shared page cache watches
        from shomp.core import dashboard

        for key, label, icon, url_name, order in (
            ("themes", "Themes", "bi-palette", "themes:themes", 80),
            ("customize", "Customize", "bi-brush", "themes:customize", 81),
            ("assets", "Assets", "bi-images", "themes:assets", 82),
        ):
            dashboard.register_section(key, label=label, icon=icon, url_name=url_name, area="appearance", order=order)
        post_migrate.connect(_sync_themes, sender=self, dispatch_uid="themes-sync")
