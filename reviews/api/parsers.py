"""Parse request bodies; a body nested deeper than the parser can follow is a 400, not a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing pathologically nested documents as bad input."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            # json.loads recurses once per level; thousands of [[[... exhaust the stack.
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
