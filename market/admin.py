from django.contrib import admin

from .models import ConsentRecord, DirectoryMember, Engagement, PipelineEntry


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "closes_on"]
    list_filter = ["status"]
    readonly_fields = ["status"]


@admin.register(PipelineEntry)
class PipelineEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "expected_start", "route"]


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    readonly_fields = ["action", "wording", "sectors", "frequency", "by_user", "via", "recorded_at"]


@admin.register(DirectoryMember)
class DirectoryMemberAdmin(admin.ModelAdmin):
    list_display = ["organisation", "consent_contact", "consented_at", "withdrawn_at", "frequency"]
    readonly_fields = ["consent_contact", "consented_at", "withdrawn_at", "terms"]
    inlines = [ConsentRecordInline]
