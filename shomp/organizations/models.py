"""Organizations own stores; members work on them with a role (spec: Shomp.Organizations).

Every store belongs to one organization. A seller's own is made silently with their first store
and named after them ("just you" while they are its only member). Who may do what is the role
table in `areas.py`, asked through `policies.can`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .areas import Role, effective_areas, parse_areas

AREAS_PATTERN = r"^(,[a-z.]+)*,?$"  # "" or ",orders,orders.view," (see areas.format_areas)


class Organization(models.Model):
    name = models.CharField(max_length=80)
    description = models.TextField(max_length=2000, blank=True)
    # The one member with the owner role (kept together by the services; each store's `owner`
    # is a copy of it too). It changes only by a transfer the new owner confirms.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_organizations")
    # A transfer the owner offered and the member named here has not confirmed yet.
    ownership_offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """`user` works on `organization`'s stores with `role`, give or take some areas.

    Overrides are kept as text (",promotions,") so the queryset twin of the door can ask them
    in SQL on SQLite and PostgreSQL alike. `all_stores` False limits the member to `stores`;
    it is a flag of its own so that unticking the last store never means "every store".
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    added_areas = models.CharField(max_length=300, blank=True, default="")
    removed_areas = models.CharField(max_length=300, blank=True, default="")
    all_stores = models.BooleanField(default=True)
    stores = models.ManyToManyField("stores.Store", blank=True, related_name="limited_memberships")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When they last opened a dashboard page of the organization, noted by the dashboard door
    # at most once every services.ACTIVITY_INTERVAL (the members page's "last activity").
    last_active_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="organizations_one_membership_per_user"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(role=Role.OWNER), name="organizations_one_owner"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="organizations_membership_role_valid"),
            # The owner works on every store of the organization.
            models.CheckConstraint(
                condition=~Q(role=Role.OWNER) | Q(all_stores=True), name="organizations_owner_has_all_stores"
            ),
            models.CheckConstraint(
                condition=Q(added_areas__regex=AREAS_PATTERN) & Q(removed_areas__regex=AREAS_PATTERN),
                name="organizations_membership_areas_format",
            ),
        ]
        indexes = [models.Index(fields=["user", "organization"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def permissions(self) -> frozenset[str]:
        """The spec's `permissions`: the areas this member may work on (role and overrides)."""
        return effective_areas(self.role, parse_areas(self.added_areas), parse_areas(self.removed_areas))


class Invitation(models.Model):
    """An emailed invitation to join `organization` with `role`.

    Only the SHA-256 of the link's token is kept: a leaked database holds no usable link.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()  # lower-cased by the service
    role = models.CharField(max_length=20, choices=Role.choices)
    all_stores = models.BooleanField(default=True)
    stores = models.ManyToManyField("stores.Store", blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Re-inviting revokes the old link first: one live invitation per address.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="organizations_one_open_invitation_per_email",
            ),
            # Ownership only moves by a confirmed transfer, never by an invitation.
            models.CheckConstraint(
                condition=Q(role__in=[r for r in Role.values if r != Role.OWNER]),
                name="organizations_invitation_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.organization} ({self.role})"

    def status_at(self, now=None) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if (now or timezone.now()) >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at()


class AuditLogEntry(models.Model):
    """Who did what in an organization: invitations, role changes, removals, ownership, stores
    opened and moved in or out.

    `object` names the subject as the members see it (a username, a masked address), never an
    email of a member.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created the organization"
        UPDATED = "updated", "Changed the name or description"
        INVITED = "invited", "Invited"
        INVITATION_REVOKED = "invitation_revoked", "Revoked an invitation"
        JOINED = "joined", "Joined"
        PERMISSIONS_CHANGED = "permissions_changed", "Changed the role or access of"
        REMOVED = "removed", "Removed"
        LEFT = "left", "Left"
        OWNERSHIP_OFFERED = "ownership_offered", "Offered the ownership to"
        OWNERSHIP_CANCELLED = "ownership_cancelled", "Withdrew the ownership offer to"
        OWNERSHIP_TRANSFERRED = "ownership_transferred", "Took over the ownership from"
        STORE_OPENED = "store_opened", "Opened the store"
        STORE_MOVED_IN = "store_moved_in", "Moved in the store"
        STORE_MOVED_OUT = "store_moved_out", "Moved out the store"
        ORDER_SHIPPED = "order_shipped", "Marked an order shipped"
        ORDER_FULFILLED = "order_fulfilled", "Marked an order fulfilled"
        ORDER_DELIVERED = "order_delivered", "Marked an order delivered"
        ORDER_CANCELLED = "order_cancelled", "Cancelled and refunded an order"
        ORDER_REFUNDED = "order_refunded", "Refunded an order line"
        BULK_OPERATION = "bulk_operation", "Ran a bulk operation"
        PROMOTION_SAVED = "promotion_saved", "Saved the promotion"
        PROMOTION_ENDED = "promotion_ended", "Ended the promotion"
        SHIPPING_CHANGED = "shipping_changed", "Changed the shipping settings"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    object = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organization", "-at"])]
        verbose_name_plural = "audit log entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object}"
