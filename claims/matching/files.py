"""Read the tab-separated claim files of the CheckThat! verified-claim retrieval task."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .matcher import MatchingError

MAX_FILE_BYTES = 200 * 1024 * 1024
ID_COLUMNS = ("id", "vclaim_id", "tweet_id", "iclaim_id", "")
VERIFIED_TEXT_COLUMNS = ("vclaim", "claim", "text")
QUERY_TEXT_COLUMNS = ("tweet_content", "text", "iclaim", "claim", "query")


@dataclass(frozen=True)
class Row:
    """One claim of a file: its id, its text, and its title if the file has one."""

    id: str
    text: str
    title: str = ""


def read_verified(path: str) -> list[Row]:
    """Return the verified claims of a file with columns id, claim text and (optionally) title."""
    return _read(path, VERIFIED_TEXT_COLUMNS, with_title=True)


def read_queries(path: str) -> list[Row]:
    """Return the queries of a file with columns id and text."""
    return _read(path, QUERY_TEXT_COLUMNS, with_title=False)


def _read(path: str, text_columns: tuple[str, ...], *, with_title: bool) -> list[Row]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise MatchingError(f"{path}: cannot read it ({error.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise MatchingError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes; split it")
    if not raw.strip():
        raise MatchingError(f"{path}: the file is empty; expected a header line and rows")
    if b"\x00" in raw[:65536]:
        raise MatchingError(f"{path}: a binary file, not tab-separated text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MatchingError(
            f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as error:
        raise MatchingError(f"{path}: unreadable header ({error})") from None
    id_column = _find(header, ID_COLUMNS) if header and header[0] not in text_columns else None
    if id_column is None:
        raise MatchingError(
            f"{path}: no id column; the header must start with one of "
            + ", ".join(repr(name) for name in ID_COLUMNS if name)
            + f" (got {_names(header)})"
        )
    text_column = _find(header, text_columns)
    if text_column is None:
        raise MatchingError(
            f"{path}: missing the text column; the header needs one of "
            + ", ".join(repr(name) for name in text_columns)
            + f" (got {_names(header)})"
        )
    title_column = _find(header, ("title",)) if with_title else None
    rows, seen = [], set()
    try:
        for line_number, fields in enumerate(reader, start=2):
            if not any(field.strip() for field in fields):
                continue
            if len(fields) <= max(id_column, text_column):
                raise MatchingError(
                    f"{path}: row {line_number} has {len(fields)} columns, the header {len(header)}"
                )
            key = fields[id_column].strip()
            if not key:
                raise MatchingError(f"{path}: row {line_number} has an empty id")
            if key in seen:
                raise MatchingError(f"{path}: id {key!r} appears twice (row {line_number})")
            seen.add(key)
            title = ""
            if title_column is not None and len(fields) > title_column:
                title = fields[title_column].strip()
            rows.append(Row(id=key, text=fields[text_column].strip(), title=title))
    except csv.Error as error:
        raise MatchingError(f"{path}: malformed row ({error})") from None
    if not rows:
        raise MatchingError(f"{path}: a header but no rows")
    return rows


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _names(header: list[str]) -> str:
    return ", ".join(repr(name) for name in header) or "nothing"
