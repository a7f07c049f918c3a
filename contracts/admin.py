"""A read-only admin view of contracts. Contracts are created only by awards (buying's services),
which validate the terms and record the audit trail."""

from django.contrib import admin

from .models import Contract


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "organisation", "supplier", "value", "status")
    list_filter = ("status", "route")
    search_fields = ("reference", "title", "organisation__name", "supplier__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
