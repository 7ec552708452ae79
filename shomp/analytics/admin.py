"""Analytics in the admin: read-only raw rows and rollups, for looking into a number.

Rows are written only by the pipeline (ingest, rollups), so nothing here adds or changes one.
No user column is listed (a visitor's identity is never shown, even to staff browsing numbers),
and the daily salt is not registered at all: showing it would let anyone with the admin
re-make today's visitor hashes.
"""

from django.contrib import admin

from .models import Conversion, DailyStat, DailyVisitors, PageView


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False  # no COUNT(*) over millions of raw rows per page
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PageView)
class PageViewAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "store", "kind", "path", "medium", "source", "device", "country", "is_entry")
    list_filter = ("kind", "medium", "device", "is_entry", "sold_out")
    list_select_related = ("store",)
    raw_id_fields = ("store", "product", "variant")
    exclude = ("user",)
    date_hierarchy = "created_at"


@admin.register(Conversion)
class ConversionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "store", "conversion_type", "value", "medium", "source", "order_id")
    list_filter = ("conversion_type", "medium")
    list_select_related = ("store",)
    raw_id_fields = ("store", "product", "variant")
    exclude = ("user",)
    date_hierarchy = "created_at"


@admin.register(DailyStat)
class DailyStatAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "store",
        "product_id_value",
        "medium",
        "source",
        "pageviews",
        "visits",
        "purchases",
        "revenue",
    )
    list_filter = ("medium", "device")
    list_select_related = ("store",)
    raw_id_fields = ("store",)


@admin.register(DailyVisitors)
class DailyVisitorsAdmin(ReadOnlyAdmin):
    list_display = ("day", "store", "browser", "os", "device", "visitors", "visits")
    list_select_related = ("store",)
    raw_id_fields = ("store",)
