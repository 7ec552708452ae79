"""Lists in the admin (the one staff page that shows them): read-only, for support questions."""

from django.contrib import admin

from .models import Wishlist, WishlistItem


class WishlistItemInline(admin.TabularInline):
    model = WishlistItem
    fields = ("product", "variant", "quantity", "price_when_added", "added_at", "alerted_price", "claimed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Wishlist)
class WishlistAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "public", "is_gift_list", "created_at")
    list_filter = ("public", "is_gift_list")
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "description", "public", "is_default", "is_gift_list", "owner_sees_claims")
    exclude = ("share_token",)  # the link is the owner's to hand out
    inlines = [WishlistItemInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
