"""Platform staff review reported conversations here (and can read the thread inline)."""

from django.contrib import admin
from django.utils import timezone

from .models import Block, Conversation, Message, Offer, Report, SavedReply


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("created_at", "sender", "sender_type", "content", "read_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("subject", "store", "customer", "type", "status", "last_message_at")
    list_filter = ("status", "type")
    search_fields = ("subject", "uuid", "store__name", "customer__username")
    list_select_related = ("store", "customer")
    raw_id_fields = ("store", "customer", "product", "order", "assigned_to")
    readonly_fields = ("uuid", "created_at", "updated_at", "last_message_at", "first_reply_at", "assigned_at")
    inlines = [MessageInline]


@admin.action(description="Mark selected reports resolved")
def mark_resolved(modeladmin, request, queryset):
    queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("conversation", "reason", "reporter", "created_at", "resolved_at")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("conversation", "reporter")
    raw_id_fields = ("conversation", "reporter")
    actions = [mark_resolved]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("store", "user", "created_at")
    raw_id_fields = ("store", "user", "created_by")
    list_select_related = ("store", "user")


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "organization", "created_at")
    list_select_related = ("store", "organization")
    raw_id_fields = ("store", "organization", "created_by")


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("title", "conversation", "price", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("conversation", "message", "product", "created_by")
