"""Errors raised by the fetcher, each saying whether a retry could help."""

from __future__ import annotations


class FetchError(Exception):
    """Report a failed fetch with a short machine reason and whether it is permanent.

    Reasons: "bad_url", "blocked", "too_large", "unsupported_type", "unsupported_encoding",
    "bad_encoding", "http_404", "http_410", "http_<4xx>", "http_5xx", "rate_limited",
    "bad_redirect", "too_many_redirects", "timeout", "deadline", "dns", "connect", "tls",
    "network".
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self):
        # Celery pickles exceptions across processes; the keyword-only arguments would be lost.
        return _rebuild, (type(self), str(self), self.__dict__.copy())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, reason={self.reason!r})"


class BlockedDestination(FetchError):
    """Refuse a destination the policy forbids (a non-public address, port or scheme)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="blocked", permanent=True)


def _rebuild(cls: type[FetchError], message: str, state: dict) -> FetchError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
