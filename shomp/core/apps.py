from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shomp.core"
    label = "core"
    verbose_name = "Shomp core"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            pagecache,
        )

        # The per-visitor parts of every page (base.html), filled per request in shared pages.
        pagecache.register_hole("header", "core/partials/_header.html")
        pagecache.register_hole("messages", "core/partials/_messages.html")
        pagecache.register_hole("realtime", "core/partials/_realtime.html")
        pagecache.register_hole("user_scripts", "core/partials/_user_scripts.html")
