from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "shomp.themes"
    label = "themes"

    def ready(self):
        from shomp.core import dashboard

        for key, label, icon, url_name, order in (
            ("themes", "Themes", "bi-palette", "themes:themes", 80),
            ("customize", "Customize", "bi-brush", "themes:customize", 81),
            ("assets", "Assets", "bi-images", "themes:assets", 82),
        ):
            dashboard.register_section(key, label=label, icon=icon, url_name=url_name, area="appearance", order=order)
