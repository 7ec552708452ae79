from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shomp.notifications"
    label = "notifications"

    def ready(self):
        from shomp.core import header

        header.register_account_link(
            "notifications", label="Notifications", icon="bi-bell", url_name="notifications:centre", order=40
        )
        header.register_account_link(
            "notification-settings",
            label="Notification settings",
            icon="bi-bell-slash",
            url_name="notifications:preferences",
            order=70,
        )
        from shomp.core import realtime

        from .events import TOPIC_KIND
        from .policies import can_follow_user_notifications

        realtime.register_topic(TOPIC_KIND, can_follow_user_notifications)
