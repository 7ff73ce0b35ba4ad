"""The claims app's one domain error, whose message tells a person what to do."""


class ClaimsError(Exception):
    """Refuse an action on pieces, claims or their sources, saying why and what to do instead."""
