from django.contrib import admin

from .models import Cart, CartItem, Checkout, Order, OrderItem, Refund, ShippingSettings


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    readonly_fields = (
        "product",
        "variant",
        "title",
        "variant_name",
        "variant_options",
        "sku",
        "kind",
        "unit_price",
        "quantity",
        "refunded_quantity",
    )
    can_delete = False


class RefundInline(admin.TabularInline):
    """Money given back goes through the payment provider from the store's order page; here it
    is read only (a row added here would refund nothing)."""

    model = Refund
    fk_name = "order"
    extra = 0
    fields = readonly_fields = ("created_at", "item", "quantity", "amount", "reason", "reference", "actor")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "store", "buyer", "status", "total", "created_at")
    list_filter = ("status",)
    search_fields = ("uuid", "store__name", "buyer__username", "buyer__email")
    list_select_related = ("store", "buyer")
    raw_id_fields = ("buyer", "store", "checkout")
    readonly_fields = ("uuid", "created_at", "refunded_total", "cancelled_at", "delivered_at")
    inlines = [OrderItemInline, RefundInline]


@admin.register(Checkout)
class CheckoutAdmin(admin.ModelAdmin):
    list_display = ("token", "buyer", "amount", "payment_provider", "payment_reference", "created_at")
    search_fields = ("token", "payment_reference", "buyer__username")
    raw_id_fields = ("buyer",)


class CartItemInline(admin.TabularInline):
    model = CartItem
    extra = 0
    raw_id_fields = ("product", "variant")


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "updated_at")
    raw_id_fields = ("user",)
    inlines = [CartItemInline]


@admin.register(ShippingSettings)
class ShippingSettingsAdmin(admin.ModelAdmin):
    """Sellers set these on their dashboard's Shipping page; here for support to read."""

    list_display = ("store", "ships_from", "domestic_rate", "international_rate", "free_over", "processing_days")
    search_fields = ("store__name", "store__slug")
    list_select_related = ("store",)
    raw_id_fields = ("store",)
