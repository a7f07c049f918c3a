"""Read-mostly admin views. Decisions and standing change through the staff pages' services,
which check the rules and record the audit trail, so those fields are read-only here."""

from django.contrib import admin

from .models import LotApplication, SupplierProfile


@admin.register(SupplierProfile)
class SupplierProfileAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "companies_house_number", "size", "is_sme", "is_vcse", "region")
    list_filter = ("size", "is_sme", "is_vcse", "region")
    search_fields = ("legal_name", "trading_name", "companies_house_number", "organisation__name")
    readonly_fields = ("organisation", "size", "is_sme", "updated_at")


@admin.register(LotApplication)
class LotApplicationAdmin(admin.ModelAdmin):
    list_display = ("supplier", "lot", "status", "submitted_at", "decided_at")
    list_filter = ("status", "lot__framework")
    search_fields = ("supplier__name", "lot__name", "lot__framework__name")
    readonly_fields = (
        "supplier",
        "lot",
        "status",
        "answers",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "reason",
    )

    def has_add_permission(self, request):
        return False
