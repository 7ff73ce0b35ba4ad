"""Store files a fact-checker uploads as evidence for a claim: screenshots, PDFs, documents."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pieces import Claim


def attachment_path(attachment: "Attachment", filename: str) -> str:
    # A random name with the sniffed extension: the uploader's file name never reaches the disk.
    return f"attachments/{uuid.uuid4().hex}{attachment.extension}"


class Attachment(models.Model):
    """An uploaded file pinned to a claim's working evidence; public only once a published
    revision relies on it (reviews.RevisionAttachment)."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(
        _("type"), max_length=120, help_text=_("Read from the file's content, not its name.")
    )
    extension = models.CharField(_("extension"), max_length=8)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_name = models.CharField(_("uploaded as"), max_length=255, blank=True)
    caption = models.CharField(
        _("caption"),
        max_length=300,
        help_text=_("What the file shows; readers see it beside the link."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    detached_at = models.DateTimeField(
        _("detached at"),
        null=True,
        blank=True,
        help_text=_("Taken off the working evidence; revisions that relied on it keep it."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["claim", "uploaded_at", "id"], name="attachment_claim_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.caption[:60]}"
