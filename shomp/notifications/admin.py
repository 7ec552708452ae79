from django.contrib import admin

from .models import Notification, NotificationEvent, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "user", "created_at", "read_at")
    list_filter = ("type",)
    search_fields = ("title", "key", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user", "event")
    # `data` is written by the services (the link and what checks it); Django's JSON form field
    # also fails with a 500 on a number past 4,300 digits.
    readonly_fields = ("key", "data", "created_at", "read_at", "emailed_at")


@admin.register(NotificationEvent)
class NotificationEventAdmin(admin.ModelAdmin):
    list_display = ("key", "type", "recipient_count", "read_count", "created_at", "delivered_at")
    list_filter = ("type",)
    search_fields = ("key",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "in_app", "email", "updated_at")
    list_filter = ("type", "in_app", "email")
    raw_id_fields = ("user",)
