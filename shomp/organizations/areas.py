"""The role table: what each role may do, by area. The one place that says it.

An area is a part of a store's work ("orders", "messages", ...). Read-only access is an area of
its own ("orders.view"); the full area implies it ("orders" includes "orders.view"). A member's
areas are their role's, plus the areas added to them, minus the areas taken away
(`effective_areas`). The owner always has every area: overrides never apply to an owner.

`policies.can` answers "may this user do AREA on this store?" from this table in Python;
`stores.selectors.stores_for` asks the same question in SQL (`area_condition`). Both are built
from `grants` and `revoked_by` below, and a test checks them against each other row by row.
"""

from django.db import models


class Area(models.TextChoices):
    PRODUCTS = "products", "Products and inventory"
    ORDERS = "orders", "Orders and fulfilment"
    ORDERS_VIEW = "orders.view", "Orders (read only)"
    MESSAGES = "messages", "Messages"
    REVIEWS = "reviews", "Reviews"
    ANALYTICS = "analytics", "Analytics and exports"
    ANALYTICS_VIEW = "analytics.view", "Analytics (read only)"
    APPEARANCE = "appearance", "Appearance (themes)"
    FOLLOWERS = "followers", "Followers and announcements"
    PROMOTIONS = "promotions", "Promotions and bulk operations"
    SETTINGS = "settings", "Store settings"
    MEMBERS = "members", "Members"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    SUPPORT = "support", "Support"
    FULFILMENT = "fulfilment", "Fulfilment"
    ANALYST = "analyst", "Analyst"


ALL_AREAS: frozenset[str] = frozenset(Area.values)

#: A full area implies its read-only twin.
IMPLIES: dict[str, frozenset[str]] = {
    Area.ORDERS: frozenset({Area.ORDERS_VIEW}),
    Area.ANALYTICS: frozenset({Area.ANALYTICS_VIEW}),
}

#: Pseudo-areas for the door. EVERY: every area of the store (what "manages the store" meant
#: before organizations, and what `stores.policies.can_manage_store` still asks while the apps
#: move to their own areas). MEMBER: belongs to the store's team, whatever the role (the
#: organization pages every member sees, such as the member list and "leave").
EVERY = "*"
MEMBER = "member"


def closure(areas) -> frozenset[str]:
    """`areas` and every area they imply."""
    result = set(areas)
    for area in areas:
        result |= IMPLIES.get(area, frozenset())
    return frozenset(result)


ROLE_AREAS: dict[str, frozenset[str]] = {
    Role.OWNER: ALL_AREAS,
    Role.ADMIN: ALL_AREAS,
    # The store's daily work; not who is on the team, nor the store's address and rules.
    Role.MANAGER: ALL_AREAS - {Area.MEMBERS, Area.SETTINGS},
    Role.SUPPORT: closure({Area.MESSAGES, Area.REVIEWS, Area.ORDERS_VIEW}),
    Role.FULFILMENT: closure({Area.ORDERS}),
    Role.ANALYST: closure({Area.ANALYTICS_VIEW}),
}

ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.OWNER: "Everything, and transferring or deleting the organization.",
    Role.ADMIN: "Everything but ownership.",
    Role.MANAGER: "Products, orders, messages, reviews, analytics, appearance, followers and promotions; "
    "not members or store settings.",
    Role.SUPPORT: "Messages and reviews; orders read only.",
    Role.FULFILMENT: "Orders and fulfilment.",
    Role.ANALYST: "Analytics, read only.",
}


def grants(area: str) -> frozenset[str]:
    """The areas whose presence gives `area` (itself, and a full area for its read-only twin)."""
    return frozenset(a for a in ALL_AREAS if area in closure({a}))


def revoked_by(area: str) -> frozenset[str]:
    """The removed areas that take `area` away: itself, and what it implies (taking away
    "orders.view" takes "orders" too: nobody fulfils orders they can't see)."""
    return closure({area})


def effective_areas(role: str, added=(), removed=()) -> frozenset[str]:
    """What a member with `role` and these overrides may do. Unknown names count for nothing."""
    if role == Role.OWNER:
        return ALL_AREAS
    base = ROLE_AREAS.get(role, frozenset())
    added, removed = frozenset(added), frozenset(removed)
    return frozenset(
        area for area in ALL_AREAS if (area in base or added & grants(area)) and not removed & revoked_by(area)
    )


def parse_areas(text: str) -> frozenset[str]:
    """Areas kept in a text column as ",orders,messages," (see models.Membership)."""
    return frozenset(a for a in (text or "").split(",") if a)


def format_areas(areas) -> str:
    """The column's form: sorted, comma-delimited with a comma at each end (so a SQL
    `contains ",orders,"` never matches ",orders.view,"), empty for none."""
    areas = sorted(set(areas))
    return f",{','.join(areas)}," if areas else ""
