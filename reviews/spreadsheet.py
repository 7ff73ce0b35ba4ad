"""Write CSV cells that a spreadsheet shows as typed, never runs as formulas."""

# A spreadsheet runs a cell starting with one of these as a formula; notes are typed by people.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """Return `value` as CSV text, quoted with a leading apostrophe if it would run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text
