from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "shomp.themes"
    label = "themes"
