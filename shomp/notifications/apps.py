from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shomp.notifications"
    label = "notifications"

    def ready(self):
        from shomp.core import realtime

        from .events import TOPIC_KIND
        from .policies import can_follow_user_notifications

        realtime.register_topic(TOPIC_KIND, can_follow_user_notifications)
