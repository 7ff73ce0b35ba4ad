"""Take files as evidence: a fact-checker uploads a screenshot, PDF or document for a claim.

Like a pinned passage, an uploaded file joins the claim's working evidence; saving a revision
freezes the files it relies on (RevisionAttachment), and the public sees a file only while a
published revision relies on it.
"""

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from claims.attachments import ACCEPTED, sniff
from claims.models import Attachment
from reviews.errors import NotAllowed, ReviewError
from reviews.models import RevisionAttachment, Ticket, VerdictRevision
from reviews.services._steps import step

CAPTION_MAX = 300


def attachment_limit() -> int:
    """Return the largest upload the desk takes, in bytes (DESK_ATTACHMENT_MAX_BYTES)."""
    return int(settings.DESK_ATTACHMENT_MAX_BYTES)


def _checked(upload) -> tuple[str, str, str]:
    """Return the upload's (content type, extension, sha256), or refuse it with the reason."""
    size = upload.size or 0
    if size == 0:
        raise ReviewError("The file is empty: choose the screenshot or document again.")
    if size > attachment_limit():
        raise ReviewError(
            f"The file is {size:,} bytes; the desk takes files up to {attachment_limit():,} bytes."
        )
    upload.seek(0)
    kind = sniff(upload.read(16), whole=upload)
    if kind is None:
        raise ReviewError(
            f"The desk takes {ACCEPTED}; this file's content is none of these (its name does "
            "not count)."
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind[0], kind[1], digest.hexdigest()


def evidence_attach(
    *, ticket: Ticket, by, upload, caption: str, expected_version: int | None = None
) -> Attachment:
    """Add an uploaded file to the claim's working evidence, with a caption readers will see.

    Allowed when pinning is (the assignee or an editor, while the verdict is editable); the
    type is read from the content and the size is limited. Only the next revision saved relies
    on it.
    """
    if by is None or not by.has_perm("claims.add_attachment"):
        raise NotAllowed("You cannot attach files: ask an editor for the fact-checker role.")
    caption = " ".join((caption or "").split())
    if not caption:
        raise ReviewError("Say what the file shows: readers see the caption beside it.")
    if len(caption) > CAPTION_MAX:
        raise ReviewError(f"Keep the caption to {CAPTION_MAX} characters (it has {len(caption)}).")
    content_type, extension, sha256 = _checked(upload)
    with step(ticket, by=by, action="save_draft", expected_version=expected_version) as s:
        attachment = Attachment(
            claim_id=s.ticket.claim_id,
            content_type=content_type,
            extension=extension,
            size=upload.size,
            sha256=sha256,
            original_name=(getattr(upload, "name", "") or "")[:255],
            caption=caption,
            uploaded_by=by,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()
        s.action = "attach"
        s.data = {"attachment": attachment.pk, "type": content_type, "size": upload.size}
    return attachment


def evidence_detach(
    *, ticket: Ticket, by, attachment: Attachment | int, expected_version: int | None = None
) -> None:
    """Take a file off the claim's working evidence; revisions that relied on it keep it."""
    if by is None or not by.has_perm("claims.delete_attachment"):
        raise NotAllowed("You cannot detach files: ask an editor for the fact-checker role.")
    attachment_id = attachment.pk if isinstance(attachment, Attachment) else attachment
    with step(ticket, by=by, action="save_draft", expected_version=expected_version) as s:
        found = Attachment.objects.filter(
            pk=attachment_id, claim_id=s.ticket.claim_id, detached_at__isnull=True
        ).first()
        if found is None:
            raise ReviewError("That file is no longer attached to this claim.")
        found.detached_at = timezone.now()
        found.save(update_fields=["detached_at"])
        s.action = "detach"
        s.data = {"attachment": found.pk, "caption": found.caption}


def working_attachments(claim_id: int) -> list[Attachment]:
    """Return the files on the claim's working evidence, oldest first."""
    return list(
        Attachment.objects.filter(claim_id=claim_id, detached_at__isnull=True).order_by(
            "uploaded_at", "id"
        )
    )


def attachments_content(items: Sequence) -> list[tuple]:
    """Return what a revision keeps of files (attachments or revision copies), comparably."""
    return sorted((getattr(item, "attachment_id", None) or item.pk, item.caption) for item in items)


def revision_copy_attachments(*, revision: VerdictRevision, attachments: Sequence) -> None:
    """Record that `revision` relies on `attachments`, with their captions as they are now."""
    RevisionAttachment.objects.bulk_create(
        RevisionAttachment(revision=revision, position=n, attachment=item, caption=item.caption)
        for n, item in enumerate(attachments)
    )
