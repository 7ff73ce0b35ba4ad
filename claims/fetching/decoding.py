"""Content-Encoding decoders that never inflate more than a chunk per step."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli

from .errors import FetchError

# Bounding every step keeps a compression bomb from allocating more than this at once:
# the caller counts the decoded bytes and stops at the policy's cap.
CHUNK = 64 * 1024

ACCEPT_ENCODING = "gzip, deflate, br"


class Identity:
    """Pass bytes through unchanged."""

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield ``data`` as is."""
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        """Yield nothing: there is no buffered state."""
        yield from ()


class ZlibDecoder:
    """Inflate gzip or deflate, at most CHUNK bytes per step."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield the inflated form of ``data`` in bounded pieces."""
        while data and not self._inflater.eof:
            try:
                out = self._inflater.decompress(data, CHUNK)
            except zlib.error as exc:
                if self._encoding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib header the RFC asks for.
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise _corrupt(self._encoding, exc) from exc
            self._started = True
            data = self._inflater.unconsumed_tail
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        """Yield whatever the inflater still buffers."""
        try:
            tail = self._inflater.flush()
        except zlib.error as exc:
            raise _corrupt(self._encoding, exc) from exc
        if tail:
            yield tail


class BrotliDecoder:
    """Decompress brotli, at most about CHUNK bytes per step."""

    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield the decompressed form of ``data`` in bounded pieces."""
        try:
            out = self._decompressor.process(data, output_buffer_limit=CHUNK)
            if out:
                yield out
            # Brotli holds back output past the limit; drain it before taking more input.
            while not self._decompressor.can_accept_more_data():
                out = self._decompressor.process(b"", output_buffer_limit=CHUNK)
                if not out:
                    break
                yield out
        except brotli.error as exc:
            raise _corrupt("br", exc) from exc

    def flush(self) -> Iterator[bytes]:
        """Yield the output still held once the input has ended."""
        try:
            while not self._decompressor.is_finished():
                out = self._decompressor.process(b"", output_buffer_limit=CHUNK)
                if not out:
                    break
                yield out
        except brotli.error as exc:
            raise _corrupt("br", exc) from exc


def decoder_for(content_encoding: str) -> Identity | ZlibDecoder | BrotliDecoder:
    """Return the decoder for a Content-Encoding header value."""
    encodings = [part.strip().lower() for part in content_encoding.split(",") if part.strip()]
    encodings = [encoding for encoding in encodings if encoding != "identity"]
    if not encodings:
        return Identity()
    if len(encodings) == 1:
        if encodings[0] in ("gzip", "x-gzip"):
            return ZlibDecoder("gzip")
        if encodings[0] == "deflate":
            return ZlibDecoder("deflate")
        if encodings[0] == "br":
            return BrotliDecoder()
    raise FetchError(
        f"unsupported Content-Encoding {content_encoding!r} (accepted: {ACCEPT_ENCODING})",
        reason="unsupported_encoding",
        permanent=True,
    )


def _corrupt(encoding: str, exc: Exception) -> FetchError:
    return FetchError(
        f"the {encoding} body could not be decoded: {exc}",
        reason="bad_encoding",
        permanent=False,
    )
