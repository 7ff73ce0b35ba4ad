"""Declare the short claim: the claim as search engines show it (ClaimReview's claimReviewed)."""

# Google asks for claimReviewed under 75 characters; the desk allows exactly that many.
SHORT_CLAIM_MAX = 75


def suggest_short_claim(assertion: str) -> str:
    """Return a first draft of the short claim from the assertion, for the editor to rewrite.

    The assertion as it stands when it fits; otherwise cut at the last word boundary that
    leaves room for an ellipsis.
    """
    text = " ".join((assertion or "").split())
    if len(text) <= SHORT_CLAIM_MAX:
        return text
    cut = text[: SHORT_CLAIM_MAX - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"
