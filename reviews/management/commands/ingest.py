"""Ingest opinion pieces from files, standard input or a manifest, and open their tickets."""

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.timezone import make_aware
from tqdm import tqdm

from claims.errors import ClaimsError
from claims.extraction import ExtractionError, decode_input
from reviews.services.intake import article_receive, format_for


@dataclass
class Piece:
    """One piece to ingest: where its bytes come from and the metadata given for it."""

    name: str
    path: Path | None
    title: str
    author: str = ""
    publication: str = ""
    url: str = ""
    published_at: datetime | None = None
    fmt: str = "auto"


def parse_when(value: str | None, *, name: str) -> datetime | None:
    """Parse an ISO 8601 date or date-time; a bare date means midnight UTC."""
    if not value:
        return None
    parsed = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    if parsed is None:
        raise CommandError(f"{name}: published_at {value!r} is not an ISO 8601 date or date-time")
    return parsed if parsed.tzinfo else make_aware(parsed, timezone=UTC)


class Command(BaseCommand):
    help = (
        "Ingest opinion pieces (.txt, .md, .html, '-' for stdin, or a manifest .json listing "
        "several with their metadata); every assertion becomes a claim ticket."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, '-' for stdin, or a manifest.json.")
        parser.add_argument("--title", help="Title (default: the file name).")
        parser.add_argument("--author", default="", help="Author of the piece: the claimant.")
        parser.add_argument("--publication", default="", help="Publication it appeared in.")
        parser.add_argument("--url", default="", help="Canonical URL of the piece.")
        parser.add_argument("--published-at", help="Publication date, ISO 8601.")
        parser.add_argument(
            "--format",
            dest="output",
            choices=["text", "json"],
            default="text",
            help="How to print the summary.",
        )

    def handle(self, *args, paths, output, **options):
        pieces = self._pieces(paths, options)
        summaries, failures = [], []
        progress = tqdm(pieces, disable=len(pieces) < 5, file=sys.stderr, unit="piece")
        for piece in progress:
            try:
                result = article_receive(
                    body=self._read(piece),
                    title=piece.title,
                    author=piece.author,
                    publication=piece.publication,
                    url=piece.url,
                    published_at=piece.published_at,
                    fmt=piece.fmt,
                )
            except (ClaimsError, ExtractionError) as error:
                failures.append({"file": piece.name, "error": str(error)})
                continue
            summaries.append({"file": piece.name, **result.summary()})
        self._report(summaries, failures, output)
        if failures:
            raise CommandError(f"{len(failures)} of {len(pieces)} piece(s) could not be ingested")

    def _pieces(self, paths: list[str], options) -> list[Piece]:
        if len(paths) == 1 and paths[0].endswith(".json"):
            return self._manifest(Path(paths[0]))
        published_at = parse_when(options["published_at"], name="--published-at")
        pieces = []
        for raw in paths:
            path = None if raw == "-" else Path(raw)
            name = "<stdin>" if path is None else raw
            fmt = "auto" if path is None else format_for(raw)
            title = options["title"] or (
                "Piece from standard input"
                if path is None
                else path.stem.replace("-", " ").replace("_", " ")
            )
            pieces.append(
                Piece(
                    name=name,
                    path=path,
                    title=title,
                    author=options["author"],
                    publication=options["publication"],
                    url=options["url"],
                    published_at=published_at,
                    fmt=fmt,
                )
            )
        return pieces

    def _manifest(self, manifest: Path) -> list[Piece]:
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8"))["pieces"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"{manifest}: not a readable manifest ({error})") from error
        if not isinstance(entries, list):
            raise CommandError(f"{manifest}: not a readable manifest (pieces is not a list)")
        folder = manifest.parent.resolve()
        pieces = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not entry.get("path"):
                raise CommandError(f"{manifest}: entry {index} has no path")
            path = manifest.parent / str(entry["path"])
            # A manifest names files beside it; following it elsewhere (../, /etc, a symlink
            # out) would ingest whatever the account running the command can read.
            if not path.resolve().is_relative_to(folder):
                raise CommandError(
                    f"{manifest}: entry {index} ({str(entry['path'])[:200]!r}) is outside the "
                    "manifest's folder; put the piece beside the manifest or in a folder below it"
                )
            pieces.append(
                Piece(
                    name=str(path),
                    path=path,
                    title=entry.get("title") or path.stem.replace("-", " "),
                    author=entry.get("author") or "",
                    publication=entry.get("publication") or "",
                    url=entry.get("url") or "",
                    published_at=parse_when(entry.get("published_at"), name=str(path)),
                    fmt=entry.get("format") or format_for(path.name),
                )
            )
        return pieces

    def _read(self, piece: Piece) -> str:
        try:
            raw = sys.stdin.buffer.read() if piece.path is None else piece.path.read_bytes()
        except OSError as error:
            raise ClaimsError(f"{piece.name}: cannot read ({error.strerror})") from error
        try:
            return decode_input(raw, name=piece.name)
        except ExtractionError as error:
            raise ClaimsError(str(error)) from error

    def _report(self, summaries: list[dict], failures: list[dict], output: str) -> None:
        if output == "json":
            self.stdout.write(json.dumps({"ingested": summaries, "failed": failures}, indent=2))
            self.stdout.flush()
            return
        for item in summaries:
            verb = "ingested" if item["created"] else "already ingested, nothing new"
            self.stdout.write(
                f"{item['file']}: {verb} as article #{item['article']} — {item['sentences']} "
                f"sentences, {item['assertions']} assertions, {item['checkworthy']} check-worthy, "
                f"{item['uncited_attributions']} uncited attributions"
            )
            # Whole lines, at once: log lines on stderr never land in the middle of one.
            self.stdout.flush()
        for item in failures:
            error = item["error"]
            # Errors about the file's bytes already name it; say the name once.
            self.stderr.write(
                error if error.startswith(f"{item['file']}:") else f"{item['file']}: {error}"
            )
            self.stderr.flush()
