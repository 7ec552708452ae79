from django.apps import AppConfig


class FollowsConfig(AppConfig):
    name = "shomp.follows"
    verbose_name = "Follows and announcements"
    label = "follows"

    def ready(self):
        from . import pagecache

        pagecache.register()  # what the shared page cache watches
        from shomp.core import header

        header.register_account_link(
            "following", label="Following", icon="bi-person-heart", url_name="follows:following", order=30
        )
        from shomp.core import dashboard

        dashboard.register_section(
            "followers",
            label="Followers",
            icon="bi-people",
            url_name="follows:dashboard_followers",
            area="followers",
            order=60,
        )
        dashboard.register_section(
            "announcements",
            label="Announcements",
            icon="bi-megaphone",
            url_name="follows:dashboard_announcements",
            area="followers",
            order=70,
        )
        from shomp.catalog import hooks

        from .services import queue_new_product_fan_out

        # A product's first publish (on commit) queues the fan-out to the store's followers.
        hooks.on_first_publish(queue_new_product_fan_out)
        from .services import announce_promotion

        # A promotion that tells followers started (the worker, once): the covered stores announce it.
        hooks.promotion_started.connect(announce_promotion)
