"""Moderation in the admin: the queue is the review list filtered to "Hidden pending moderation";
the actions restore or remove the chosen reviews with a note the author receives."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse

from . import services
from .models import ProductRating, Review, ReviewFlag, ReviewModeration, ReviewPhoto, ReviewResponse, StoreRating


class ReviewFlagInline(admin.TabularInline):
    model = ReviewFlag
    extra = 0
    can_delete = False
    fields = ("user", "reason", "note", "created_at", "resolved_at")
    readonly_fields = fields


class ReviewModerationInline(admin.TabularInline):
    model = ReviewModeration
    extra = 0
    can_delete = False
    fields = ("action", "note", "moderator", "created_at", "author_notified_at")
    readonly_fields = fields


class ReviewPhotoInline(admin.TabularInline):
    model = ReviewPhoto
    extra = 0
    can_delete = False
    fields = ("image", "width", "height", "position")
    readonly_fields = fields


class ReviewResponseInline(admin.StackedInline):
    model = ReviewResponse
    extra = 0
    can_delete = False
    fields = ("store", "content", "created_at", "updated_at")
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("pk", "rating", "title", "user", "store", "product", "status", "open_flags", "created_at")
    list_filter = ("status", "rating", "verified_purchase")
    search_fields = ("title", "content", "user__username", "store__name", "product__title")
    list_select_related = ("user", "store", "product")
    # Reviews change only through the services: the admin reads them and moderates.
    readonly_fields = [field.name for field in Review._meta.fields]
    inlines = [ReviewFlagInline, ReviewModerationInline, ReviewResponseInline, ReviewPhotoInline]
    actions = ["restore_reviews", "remove_reviews"]

    def get_queryset(self, request):
        open_flags = Count("flags", filter=Q(flags__resolved_at__isnull=True), distinct=True)
        return super().get_queryset(request).annotate(open_flag_count=open_flags)

    @admin.display(description="open flags", ordering="open_flag_count")
    def open_flags(self, review) -> int:
        return review.open_flag_count

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Restore the selected reviews (with a note to their authors)")
    def restore_reviews(self, request, queryset):
        return self._moderate(request, queryset, decision="restore", action="restore_reviews", title="Restore reviews")

    @admin.action(description="Remove the selected reviews (with a note to their authors)")
    def remove_reviews(self, request, queryset):
        return self._moderate(request, queryset, decision="remove", action="remove_reviews", title="Remove reviews")

    def _moderate(self, request, queryset, *, decision: str, action: str, title: str):
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/reviews/review/moderate.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": title,
                    "reviews": list(queryset.select_related("user")),
                    "action": action,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        note = request.POST.get("note", "")
        done, refused = 0, []
        for review in queryset:
            try:
                services.moderate_review(review=review, moderator=request.user, decision=decision, note=note)
                done += 1
            except ValidationError as error:
                refused.append(f"#{review.pk}: {' '.join(error.messages)}")
        if done:
            verb = "Restored" if decision == "restore" else "Removed"
            self.message_user(request, f"{verb} {done} review{'s' if done != 1 else ''}; the authors will be told.")
        for message in refused:
            self.message_user(request, message, level=messages.WARNING)
        return None


class RatingSummaryAdmin(admin.ModelAdmin):
    """Summaries are computed from the reviews: the admin reads them (an "add" had no product or
    store to save, an IntegrityError)."""

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ProductRating)
class ProductRatingAdmin(RatingSummaryAdmin):
    list_display = ("product", "count", "average", "updated_at")
    readonly_fields = ["product", "count", "rating_sum", "star_1", "star_2", "star_3", "star_4", "star_5"]
    list_select_related = ("product",)


@admin.register(StoreRating)
class StoreRatingAdmin(RatingSummaryAdmin):
    list_display = ("store", "count", "average", "updated_at")
    readonly_fields = ["store", "count", "rating_sum", "star_1", "star_2", "star_3", "star_4", "star_5"]
    list_select_related = ("store",)
