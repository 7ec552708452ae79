from django.contrib import admin

from .models import (
    Category,
    InventoryAdjustment,
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    Variant,
    VariantOption,
)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("image", "position", "alt_text")


class ProductOptionInline(admin.TabularInline):
    """The product's options; their values are edited on the option's own page."""

    model = ProductOption
    extra = 0
    fields = ("name", "position")
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The marketplace's category tree (shipped in catalog/data/categories.json; new shipped
    categories are added on migrate, edits here are kept). A category with products or
    subcategories can't be deleted: move them first."""

    list_display = ("name", "parent", "slug", "position")
    list_editable = ("position",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("parent__position", "parent__name", "position", "name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "category", "kind", "status", "price", "stock", "has_variants", "updated_at")
    list_filter = ("status", "kind", "has_variants", "category")
    search_fields = ("title", "slug", "store__name", "store__slug")
    list_select_related = ("store", "category")
    raw_id_fields = ("store", "reserved_for")
    readonly_fields = ("has_variants",)  # kept by the variant services
    inlines = [ProductImageInline, ProductOptionInline]


class ProductOptionValueInline(admin.TabularInline):
    model = ProductOptionValue
    extra = 0
    fields = ("value", "position", "price_modifier", "swatch")
    # Changed through the variant manager only: the services keep the variants' names, keys and
    # stored modifier sums in step with these.
    readonly_fields = ("value", "price_modifier")


@admin.register(ProductOption)
class ProductOptionAdmin(admin.ModelAdmin):
    """Read options here; values and modifiers change in the seller's variant manager, whose
    services keep the variants in step (names, combination keys, stored modifier sums)."""

    list_display = ("name", "product", "position")
    readonly_fields = ("name",)
    search_fields = ("name", "product__title", "product__store__slug")
    list_select_related = ("product",)
    raw_id_fields = ("product",)
    inlines = [ProductOptionValueInline]


class VariantOptionInline(admin.TabularInline):
    model = VariantOption
    extra = 0
    fields = ("option_name", "option_value", "value")
    raw_id_fields = ("value",)


class InventoryAdjustmentInline(admin.TabularInline):
    """The variant's stock history: a record, never edited."""

    model = InventoryAdjustment
    extra = 0
    fields = ("created_at", "kind", "delta", "resulting_count", "reason", "actor")
    readonly_fields = fields
    ordering = ("-created_at", "-pk")
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("name", "product", "sku", "inventory_count", "is_enabled", "archived_at")
    list_filter = ("is_enabled", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "sku", "product__title", "store__slug")
    list_select_related = ("product",)
    raw_id_fields = ("product", "store", "image")
    # Stock changes go through manage_inventory (with history); the key is derived from the options.
    readonly_fields = ("inventory_count", "options_price_modifier", "combination_key", "created_at", "updated_at")
    inlines = [VariantOptionInline, InventoryAdjustmentInline]


@admin.register(InventoryAdjustment)
class InventoryAdjustmentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "variant", "kind", "delta", "resulting_count", "actor")
    list_filter = ("kind",)
    search_fields = ("variant__name", "variant__sku", "reason", "actor__username")
    list_select_related = ("variant", "actor")
    raw_id_fields = ("variant", "actor")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the history is a record
