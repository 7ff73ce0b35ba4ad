"""Let editors say what other publishers' rating words mean on the desk's scale."""

from django.contrib import admin

from reviews.models import ExternalRatingMap


@admin.register(ExternalRatingMap)
class ExternalRatingMapAdmin(admin.ModelAdmin):
    list_display = ("publisher", "rating_text", "rating")
    list_filter = ("publisher",)
    search_fields = ("publisher", "rating_text")
    ordering = ("publisher", "rating_text", "id")
