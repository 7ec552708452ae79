"""Staff see organizations, members and the log; changes go through the services (the pages),
so the admin is read-mostly: editing roles here would skip the rules."""

from django.contrib import admin

from .models import AuditLogEntry, Invitation, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "added_areas", "removed_areas", "all_stores", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "created_at")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    readonly_fields = ("owner", "ownership_offered_to", "created_at", "updated_at")
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("organization", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_select_related = ("organization",)
    search_fields = ("organization__name", "email")
    readonly_fields = [f.name for f in Invitation._meta.fields] + ["stores"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "organization", "actor", "action", "object")
    list_filter = ("action",)
    list_select_related = ("organization", "actor")
    search_fields = ("organization__name", "actor__username", "object")
    readonly_fields = ("organization", "actor", "action", "object", "details", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
