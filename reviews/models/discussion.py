"""Store the desk's discussion of a ticket: comments, and editor-only private notes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.models.tickets import Ticket

# Read and write editor-only private notes on a ticket (granted in reviews/roles.py).
PRIVATE_NOTES = "reviews.private_note"


class Comment(models.Model):
    """One message in a ticket's discussion; never public, and apart from transition notes."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(
        _("comment"), help_text=_("Internal to the desk. Mention someone with @username.")
    )
    private = models.BooleanField(
        _("private note"),
        default=False,
        help_text=_("Only editors see a private note; fact-checkers never do."),
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentions"),
        blank=True,
        related_name="+",
        help_text=_("The people the comment names with @username; each was notified."),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("private_note", "Can read and write editor-only private notes")]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="comment_thread_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} on ticket #{self.ticket_id}"
