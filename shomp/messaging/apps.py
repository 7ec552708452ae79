from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "shomp.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self):
        from shomp.core import dashboard, realtime

        from . import events, policies

        realtime.register_topic(events.CONVERSATION_KIND, policies.authorize_conversation_topic)
        realtime.register_topic(events.CONVERSATION_TEAM_KIND, policies.authorize_conversation_team_topic)
        realtime.register_topic(events.USER_MESSAGES_KIND, policies.authorize_user_topic)
        realtime.register_topic(events.USER_INBOX_KIND, policies.authorize_user_topic)
        realtime.register_topic(events.TEAM_INBOX_KIND, policies.authorize_team_inbox_topic)
        dashboard.register_section(
            "messages",
            label="Messages",
            icon="bi-chat-dots",
            url_name="messaging:dashboard_inbox",
            area="messages",
            order=40,
        )
        from shomp.organizations import hooks as organization_hooks

        from .services.assignment import release_lost_assignments

        # Someone lost access to a store: conversations assigned to them go back to nobody.
        organization_hooks.access_lost.connect(release_lost_assignments)
