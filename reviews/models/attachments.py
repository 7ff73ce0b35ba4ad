"""Store which uploaded files each verdict revision relies on, frozen when it was saved."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.models import Attachment
from reviews.models.verdicts import VerdictRevision


class RevisionAttachment(models.Model):
    """A revision's own record of one file it relies on, with the caption as it was then.

    The file is public exactly while a published (or once published) revision has one of these.
    """

    revision = models.ForeignKey(
        VerdictRevision,
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # RESTRICT, not PROTECT: removing a whole piece removes its revisions and files together.
    attachment = models.ForeignKey(
        Attachment,
        verbose_name=_("attachment"),
        on_delete=models.RESTRICT,
        related_name="revision_copies",
    )
    caption = models.CharField(_("caption"), max_length=300)

    class Meta:
        verbose_name = _("attachment of a revision")
        verbose_name_plural = _("attachments of revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="revision_attachment_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"r{self.revision_id} file #{self.attachment_id}"
