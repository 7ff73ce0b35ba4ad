"""The desk's records in the admin: the rating scale, the audit trail, the e-mails owed."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reviews.admin.export import events_csv_response
from reviews.admin.tickets import DeskMedia
from reviews.colours import rating_badge, scale_stylesheet
from reviews.models import Event, Notification, Rating
from reviews.selectors import events_for_export, events_visible_to, rating_scale
from reviews.services.notifications import enqueue
from reviews.services.publication import rating_delete, rating_save


@admin.register(Rating)
class RatingAdmin(DeskMedia, admin.ModelAdmin):
    list_display = ["label", "badge", "slug", "numeric_value", "order", "is_active"]
    list_editable = ["order", "is_active"]
    ordering = ["order", "id"]
    prepopulated_fields = {"slug": ["label"]}
    fields = ["label", "slug", "definition", "numeric_value", "order", "colour", "is_active"]

    def save_model(self, request, obj, form, change):
        # Through the service: a new wording, or new bounds of the scale, reach sync clients
        # and webhook subscribers.
        rating_save(rating=obj, by=request.user)

    def delete_model(self, request, obj):
        # Through the service: taking off the best or worst step moves the scale's bounds.
        rating_delete(rating=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for rating in queryset.order_by("pk"):
            rating_delete(rating=rating, by=request.user)

    @admin.display(description=_("badge"))
    def badge(self, rating):
        return rating_badge(rating)

    def get_urls(self):
        scale_css = path(
            "scale.css",
            self.admin_site.admin_view(self.scale_css, cacheable=True),
            name="reviews_rating_css",
        )
        return [scale_css, *super().get_urls()]

    def scale_css(self, request):
        """Serve the badge colours as a stylesheet: the CSP forbids inline styles."""
        # The readers' pages use the same rules, with text colours that stay readable.
        response = HttpResponse(scale_stylesheet(rating_scale()), content_type="text/css")
        response["Cache-Control"] = "private, max-age=60"
        return response


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "ticket_link",
        "actor",
        "action",
        "from_stage",
        "to_stage",
        "note",
    ]
    list_filter = ["action", "to_stage", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["note", "ticket__claim__text"]
    list_select_related = ["actor", "ticket"]
    ordering = ["-created_at", "-id"]
    actions = ["export_csv"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return events_visible_to(super().get_queryset(request), request.user)

    def has_change_permission(self, request, obj=None):
        # The audit trail is written by the services only, never edited.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ticket"), ordering="ticket_id")
    def ticket_link(self, event):
        return format_html('<a href="{}">#{}</a>', event.ticket.get_absolute_url(), event.ticket_id)

    @admin.action(description=_("Export selected events (CSV)"))
    def export_csv(self, request, queryset):
        return events_csv_response(events_for_export(queryset), filename="audit-trail.csv")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "event", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient", "event"]
    ordering = ["-created_at", "-id"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the pending ones again"))
    def send_again(self, request, queryset):
        pending = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        enqueue(pending)
        messages.info(request, f"{len(pending)} queued again.")
