from django.contrib import admin

from .models import Product, ProductImage


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("image", "position", "alt_text")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "kind", "status", "price", "stock", "updated_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "slug", "store__name", "store__slug")
    list_select_related = ("store",)
    raw_id_fields = ("store",)
    inlines = [ProductImageInline]
