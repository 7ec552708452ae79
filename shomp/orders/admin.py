from django.contrib import admin

from .models import Cart, CartItem, Checkout, Order, OrderItem


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
    )
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "store", "buyer", "status", "total", "created_at")
    list_filter = ("status",)
    search_fields = ("uuid", "store__name", "buyer__username", "buyer__email")
    list_select_related = ("store", "buyer")
    raw_id_fields = ("buyer", "store", "checkout")
    readonly_fields = ("uuid", "created_at")
    inlines = [OrderItemInline]


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
