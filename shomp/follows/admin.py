from django.contrib import admin

from .models import Follow, StoreAnnouncement


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "store", "created_at")
    search_fields = ("user__username", "store__name", "store__slug")
    list_select_related = ("user", "store")
    raw_id_fields = ("user", "store")


@admin.register(StoreAnnouncement)
class StoreAnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "store__name")
    list_select_related = ("store",)
    raw_id_fields = ("store", "author", "event")
    readonly_fields = ("uuid", "created_at")
