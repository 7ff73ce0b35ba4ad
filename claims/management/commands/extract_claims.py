"""Print the scored assertions of one piece as JSON lines or text, without touching the database."""

import json
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from claims.encoding import EncoderUnavailable
from claims.extraction import (
    CHECKWORTHY_THRESHOLD,
    MAX_INPUT_BYTES,
    ExtractionError,
    decode_input,
    extract,
    score_sentences,
)
from claims.extraction.normalize import FORMATS

FIELDS = ("text", "start", "end", "paragraph", "sentence", "score", "checkworthy", "reasons")


class Command(BaseCommand):
    help = (
        "Extract and score the assertions of a piece (a file, or '-' for standard input). "
        "With --lines, score every non-blank line as one sentence instead."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .txt, .md or .html file, or '-' for standard input.")
        parser.add_argument(
            "--format",
            dest="output",
            choices=["jsonl", "text"],
            default="jsonl",
            help="jsonl: one JSON object per assertion (default); text: for reading.",
        )
        parser.add_argument(
            "--input-format",
            choices=FORMATS,
            default="auto",
            help="How to read the piece (default: sniff HTML, Markdown or plain text).",
        )
        parser.add_argument(
            "--lines",
            action="store_true",
            help="Score each line as one sentence, as written; blank lines are skipped.",
        )

    def handle(self, *args, path, output, input_format, lines, **options):
        name = "<stdin>" if path == "-" else path
        raw = self._read(path, name)
        try:
            text = decode_input(raw, name=name)
            if lines:
                records = _line_records(text)
            else:
                records = [
                    {field: getattr(a, field) for field in FIELDS}
                    for a in extract(text, fmt=input_format).assertions
                ]
        except EncoderUnavailable as error:
            raise CommandError(str(error)) from None
        except ExtractionError as error:
            message = str(error)
            raise CommandError(
                message if message.startswith(f"{name}: ") else f"{name}: {message}"
            ) from None
        try:
            for record in records:
                if output == "jsonl":
                    record["reasons"] = list(record["reasons"])
                    self.stdout.write(json.dumps(record, ensure_ascii=False))
                else:
                    self._write_text(record)
        except BrokenPipeError:
            # The reader (head, less) stopped early; that deserves no traceback. Point stdout
            # at /dev/null so the interpreter's final flush does not raise again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def _read(self, path: str, name: str) -> bytes:
        # Read one byte past the limit so decode_input can refuse oversized input without
        # loading a file of any size into memory.
        try:
            if path == "-":
                return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            size = os.stat(path).st_size
            if size > MAX_INPUT_BYTES:
                raise CommandError(
                    f"{name}: {size:,} bytes is more than the {MAX_INPUT_BYTES:,}-byte limit; "
                    "split it into smaller files"
                )
            with open(path, "rb") as handle:
                return handle.read(MAX_INPUT_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{name}: cannot read it ({error.strerror})") from None

    def _write_text(self, record: dict) -> None:
        where = f"line {record['line']}" if "line" in record else f"#{record['sentence']}"
        mark = "check" if record["checkworthy"] else "     "
        self.stdout.write(f"{record['score']:.3f} {mark} {where}: {record['text']}")
        for reason in record["reasons"]:
            self.stdout.write(f"      - {reason}")


def _line_records(text: str) -> list[dict]:
    """Score every non-blank line of text as one sentence; numbering counts blank lines too."""
    numbered = [
        (number, line.removesuffix("\r"))
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    scored = score_sentences([line for _, line in numbered])
    records = []
    for (number, line), (score, reasons) in zip(numbered, scored, strict=True):
        records.append(
            {
                "line": number,
                "text": line,
                "score": score,
                "checkworthy": score >= CHECKWORTHY_THRESHOLD,
                "reasons": reasons,
            }
        )
    return records
