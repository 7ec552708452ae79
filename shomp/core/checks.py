from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_realtime_layer(app_configs, **kwargs):
    """In production pages and sockets run in several processes: only Redis connects them."""
    if settings.DEBUG or settings.CHANNEL_LAYERS["default"]["BACKEND"] != "channels.layers.InMemoryChannelLayer":
        return []
    return [
        Warning(
            "REDIS_URL is not set: real-time events only reach sockets of the process that sent them.",
            hint="Set REDIS_URL so channels-redis carries events between web, realtime and worker processes.",
            id="shomp.W001",
        )
    ]
