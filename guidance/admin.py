from django.contrib import admin

from .models import CaseStudy, GuidancePage, GuidanceVersion


@admin.register(GuidancePage)
class GuidancePageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "version", "updated_at")
    readonly_fields = ("version", "updated_at", "updated_by")

    # Staff edit pages at /staff/guidance/, where each save is a new version and audited.
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GuidanceVersion)
class GuidanceVersionAdmin(admin.ModelAdmin):
    list_display = ("page", "number", "created_by", "created_at")
    list_filter = ("page",)


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "status", "published_at")
    list_filter = ("status",)
