"""The analytics app's way into the dashboard and the socket, called from AppConfig.ready():
the "Analytics" menu section (area "analytics.view"), the organization's "Overview" tab (the
stores side by side; limited members see their own stores) and the live panel's topic."""

from __future__ import annotations


def register() -> None:
    from shomp.core import dashboard, realtime

    from .events import LIVE_TOPIC
    from .policies import authorize_live

    realtime.register_topic(LIVE_TOPIC, authorize_live)
    dashboard.register_section(
        "analytics",
        label="Analytics",
        icon="bi-graph-up",
        url_name="analytics:dashboard",
        area="analytics.view",
        order=35,
    )
    dashboard.register_section(
        "overview",
        label="Overview",
        icon="bi-grid-3x3-gap",
        url_name="analytics:organization",
        area="analytics.view",
        order=5,
        scope=dashboard.ORGANIZATION,
        whole_organization=False,
    )
