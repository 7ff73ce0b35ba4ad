"""The desk's topics: editors name them here and set them on claims from the ticket page."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from claims import services
from claims.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "claim_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description=_("claims"), ordering="claim_count")
    def claim_count(self, tag):
        return tag.claim_count

    def save_model(self, request, obj, form, change):
        services.tag_save(tag=obj, by=request.user)

    def delete_model(self, request, obj):
        services.tag_delete(tag=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for tag in queryset.order_by("id"):
            services.tag_delete(tag=tag, by=request.user)
