"""Read-only admin views of reviews. Moderation goes through the staff pages' services, which
check the rules, keep the ratings up to date and record the audit trail."""

from django.contrib import admin

from .models import OfferRatingSummary, Review, ReviewReport, ReviewResponse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("title", "offer", "organisation", "rating", "status", "created_at")
    list_filter = ("status", "rating", "performance")
    search_fields = ("title", "text", "organisation__name", "supplier__name")


@admin.register(ReviewResponse)
class ReviewResponseAdmin(ReadOnlyAdmin):
    list_display = ("review", "supplier", "created_at")


@admin.register(ReviewReport)
class ReviewReportAdmin(ReadOnlyAdmin):
    list_display = ("review", "reason", "created_at", "resolved_at")
    list_filter = ("reason",)


@admin.register(OfferRatingSummary)
class OfferRatingSummaryAdmin(ReadOnlyAdmin):
    list_display = ("offer", "count", "average", "bayesian")
