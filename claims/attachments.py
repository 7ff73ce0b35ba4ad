"""Tell what kind of file an upload is from its first bytes, never from its name."""

import io
import zipfile

# What the desk accepts as evidence: (content type, extension) by what the bytes say.
IMAGE_PNG = ("image/png", ".png")
IMAGE_JPEG = ("image/jpeg", ".jpg")
IMAGE_GIF = ("image/gif", ".gif")
IMAGE_WEBP = ("image/webp", ".webp")
PDF = ("application/pdf", ".pdf")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
ODT = ("application/vnd.oasis.opendocument.text", ".odt")

ACCEPTED = "PNG, JPEG, GIF or WebP screenshots, PDF, Word (.docx) or OpenDocument (.odt) files"
# Readers' browsers show these in the page; the documents are downloaded.
SHOWN_INLINE = {IMAGE_PNG[0], IMAGE_JPEG[0], IMAGE_GIF[0], IMAGE_WEBP[0], PDF[0]}


def sniff(head: bytes, whole=None) -> tuple[str, str] | None:
    """Return (content type, extension) of a file starting with `head`, or None if not accepted.

    `whole` (a binary file) is read only for ZIP containers, to tell a document from any ZIP.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE_PNG
    if head.startswith(b"\xff\xd8\xff"):
        return IMAGE_JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return IMAGE_GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE_WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04") and whole is not None:
        return _office_document(whole)
    return None


def _office_document(whole) -> tuple[str, str] | None:
    whole.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(whole.read())) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT[0].encode():
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        whole.seek(0)
    return None
