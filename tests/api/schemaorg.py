"""Check JSON-LD against the schema.org vocabulary, offline: pyld expands it, the vocabulary judges.

pyld expands the document with schema.org's context (served locally: tests never reach the
network), which proves it is well-formed JSON-LD whose every term is a schema.org IRI. The
vocabulary comes from msgspec-schemaorg, generated from schema.org's own definitions: each node's
@type must be a schema.org type, each property one that type (or a parent type) has, and each
nested node's type must fall within the property's declared range.
"""

import inspect
import re
from datetime import date, datetime

import msgspec_schemaorg.models as vocabulary
from pyld import jsonld

SCHEMA = "https://schema.org/"
_CONTEXT = {"@context": {"@vocab": SCHEMA}}
_RANGE_NAMES = re.compile(r"'(\w+)'|\b(int|float|str|bool|date|datetime|time)\b")


def _load_context(url, options=None):
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise jsonld.JsonLdError(f"{url} is not available offline", "loading document failed")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _CONTEXT,
    }


def _type(name: str):
    found = getattr(vocabulary, name, None)
    return found if isinstance(found, type) else None


def _annotation(cls: type, prop: str) -> str | None:
    for klass in cls.__mro__:
        annotations = inspect.get_annotations(klass)
        if prop in annotations:
            return str(annotations[prop])
    return None


def _ranges(cls: type, prop: str) -> set[str]:
    annotation = _annotation(cls, prop) or ""
    return {quoted or builtin for quoted, builtin in _RANGE_NAMES.findall(annotation)}


def _literal_fits(value, ranges: set[str]) -> bool:
    if isinstance(value, bool):
        return "bool" in ranges or "Boolean" in ranges
    if isinstance(value, int | float):
        return bool(ranges & {"int", "float", "Number", "Integer"})
    if isinstance(value, str):
        if ranges & {"str", "Text", "URL"}:
            return True
        if ranges & {"date", "datetime", "Date", "DateTime"}:
            try:
                (datetime if "T" in value else date).fromisoformat(value)
            except ValueError:
                return False
            return True
    return False


def problems(document: dict) -> list[str]:
    """Return what is wrong with `document` as schema.org JSON-LD (empty: nothing)."""
    found: list[str] = []
    try:
        expanded = jsonld.expand(document, {"documentLoader": _load_context})
    except jsonld.JsonLdError as error:
        return [f"not valid JSON-LD: {error}"]
    for node in expanded:
        for key in node:
            if not key.startswith("@") and not key.startswith(SCHEMA):
                found.append(f"{key} is not a schema.org term")
    nodes = document.get("@graph", [document])
    for node in nodes:
        _check(node, "$", found)
    return found


def _check(node: dict, path: str, found: list[str]) -> type | None:
    name = node.get("@type")
    cls = _type(name) if isinstance(name, str) else None
    if cls is None:
        found.append(f"{path}: {name!r} is not a schema.org type")
        return None
    fields = set(cls.__struct_encode_fields__)
    for prop, value in node.items():
        if prop.startswith("@"):
            continue
        if prop not in fields:
            found.append(f"{path}: {name} has no property {prop}")
            continue
        ranges = _ranges(cls, prop)
        for item in value if isinstance(value, list) else [value]:
            where = f"{path}.{prop}"
            if isinstance(item, dict):
                inner = _check(item, where, found)
                allowed = [_type(r) for r in ranges if _type(r) is not None]
                if inner is not None and not any(issubclass(inner, a) for a in allowed):
                    found.append(f"{where}: a {inner.__name__} is not one of {sorted(ranges)}")
            elif not _literal_fits(item, ranges):
                found.append(f"{where}: {item!r} does not fit {sorted(ranges)}")
    return cls
