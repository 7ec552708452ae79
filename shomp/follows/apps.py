from django.apps import AppConfig


class FollowsConfig(AppConfig):
    name = "shomp.follows"
    label = "follows"

    def ready(self):
        from shomp.catalog import hooks

        from .services import queue_new_product_fan_out

        # A product's first publish (on commit) queues the fan-out to the store's followers.
        hooks.on_first_publish(queue_new_product_fan_out)
