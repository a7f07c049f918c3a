from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ApprovedDomain, Invitation, Membership, Organisation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "buyer_type", "created_at")
    list_filter = ("kind", "buyer_type")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(ApprovedDomain)
class ApprovedDomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "buyer_type", "include_subdomains", "organisation")
    search_fields = ("domain",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "status", "created_at", "expires_at")
    list_filter = ("status",)
    readonly_fields = ("token",)
