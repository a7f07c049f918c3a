"""Django admin for the catalogue: a read-only window for support staff.

Every change goes through the staff pages and the audited services (the two-person rule for
frameworks going live, offer review, imports), so the admin can look but not touch: an admin
edit would skip the services' validation and the audit log.
"""

from django.contrib import admin

from .models import (
    CatalogueImport,
    DeclarationQuestion,
    Framework,
    FrameworkMembership,
    Lot,
    Offer,
    OfferDocument,
    OfferRevision,
    VolumeTier,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: these rows change only through their services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LotInline(ReadOnlyInline):
    model = Lot
    fields = ("number", "name", "slug", "direct_award_allowed")
    readonly_fields = fields


class DeclarationQuestionInline(ReadOnlyInline):
    model = DeclarationQuestion
    fields = ("order", "text", "kind", "required_answer")
    readonly_fields = fields
    show_change_link = False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ("name", "reference", "kind", "status", "starts_on", "ends_on", "approved_at")
    list_filter = ("kind", "status")
    search_fields = ("name", "reference")
    fieldsets = (
        (None, {"fields": ("name", "reference", "kind", "description")}),
        (
            "Dates and value",
            {"fields": ("applications_open_on", "starts_on", "ends_on", "max_value")},
        ),
        (
            "Status and approvals",
            {
                "fields": (
                    "status",
                    ("created_by", "created_at"),
                    ("live_requested_by", "live_requested_at"),
                    ("approved_by", "approved_at"),
                    "updated_at",
                )
            },
        ),
    )
    readonly_fields = ("created_at", "updated_at")
    inlines = [LotInline, DeclarationQuestionInline]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "framework", "direct_award_allowed")
    list_filter = ("framework", "direct_award_allowed")
    search_fields = ("name", "slug", "framework__reference")
    list_select_related = ("framework",)


@admin.register(DeclarationQuestion)
class DeclarationQuestionAdmin(ReadOnlyAdmin):
    list_display = ("text", "framework", "kind", "required_answer", "order")
    list_filter = ("framework", "kind")
    search_fields = ("text",)
    list_select_related = ("framework",)


class OfferRevisionInline(ReadOnlyInline):
    model = OfferRevision
    fields = ("number", "title", "status", "submitted_at", "reviewed_by", "published_at")
    readonly_fields = fields


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "supplier", "lot", "status", "updated_at")
    list_filter = ("status", "lot__framework")
    search_fields = ("external_id", "supplier__name", "published_revision__title")
    list_select_related = ("supplier", "lot", "published_revision", "working_revision")
    inlines = [OfferRevisionInline]


class OfferDocumentInline(ReadOnlyInline):
    model = OfferDocument
    fields = ("title", "original_name", "size", "sha256", "uploaded_at")
    readonly_fields = fields
    show_change_link = False


@admin.register(OfferRevision)
class OfferRevisionAdmin(ReadOnlyAdmin):
    list_display = ("title", "offer", "number", "status", "submitted_at", "published_at")
    list_filter = ("status",)
    search_fields = ("title", "offer__supplier__name")
    list_select_related = ("offer",)
    inlines = [OfferDocumentInline]


@admin.register(OfferDocument)
class OfferDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "revision", "original_name", "size", "uploaded_at")
    search_fields = ("title", "original_name", "sha256")


@admin.register(CatalogueImport)
class CatalogueImportAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "status",
        "framework_reference",
        "rows_done",
        "rows_total",
        "created",
        "updated",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("original_name", "framework_reference")


@admin.register(FrameworkMembership)
class FrameworkMembershipAdmin(admin.ModelAdmin):
    list_display = ("supplier", "framework", "status", "changed_at")
    list_filter = ("status", "framework")
    search_fields = ("supplier__name", "framework__name", "framework__reference")
    readonly_fields = ("supplier", "framework", "status", "reason", "changed_at", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(VolumeTier)
class VolumeTierAdmin(ReadOnlyAdmin):
    """Set through catalogue.volume_pricing.revision_tiers_set (checked and audited)."""

    list_display = ("revision", "from_quantity", "unit_price")
