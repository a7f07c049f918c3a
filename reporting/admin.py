from django.contrib import admin

from .models import ReportSnapshot, SpendRecord


@admin.register(SpendRecord)
class SpendRecordAdmin(admin.ModelAdmin):
    list_display = ("month", "buyer", "supplier", "lot_name", "amount", "is_sme", "source", "line")
    list_filter = ("is_sme", "lot_name", "sector", "source")
    search_fields = ("buyer__name", "supplier__name")
    raw_id_fields = ("buyer", "supplier")
    date_hierarchy = "month"

    def has_change_permission(self, request, obj=None):
        return False  # loaded from files only


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(admin.ModelAdmin):
    list_display = ("kind", "status", "is_current", "started_at", "computed_at", "trigger")
    list_filter = ("kind", "status", "is_current")
    readonly_fields = [f.name for f in ReportSnapshot._meta.fields]

    def has_add_permission(self, request):
        return False
