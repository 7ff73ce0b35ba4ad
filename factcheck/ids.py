"""Read ids from addresses, query strings and forms: ASCII digits within the bigint range."""

# Ids are PostgreSQL bigints: a larger number names no row, and binding it fails on SQLite.
MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """Return `value` as an id, or None if it cannot name a row.

    Only ASCII digits count: "²" is a digit to str.isdigit() but not to int(), and int() reads
    "١" as 1, so either would otherwise fail late or name another row.
    """
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
