from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Owns no models: only the `seed_demo` command and the sample content it uses."""

    name = "shomp.demo"
    label = "demo"
    verbose_name = "Demo data"
