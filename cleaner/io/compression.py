"""Streaming gzip/zstd for JSONL files: readers that notice truncation, deterministic writers.

Two properties matter here and the standard wrappers do not both give them:

- A truncated or corrupt archive must be *noticed*. `gzip` raises on a truncated stream, but
  `zstandard`'s stream reader silently returns what it could decode, so zstd goes through a
  small raw reader built on `decompressobj` that raises `CorruptArchiveError` when the input
  ends inside a frame.
- The same documents must compress to the same bytes: gzip without a file name and with
  mtime 0, zstd at a fixed level, single-threaded.
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import IO, Any, cast

import zstandard

#: zstd level for written files: the library default, a good speed/ratio balance for dumps.
ZSTD_LEVEL = 3
#: gzip level for written files (the `gzip` command's default).
GZIP_LEVEL = 6
_CHUNK = 1 << 17


class CorruptArchiveError(Exception):
    """A compressed stream that is truncated or not valid for its codec."""


#: Everything a damaged gzip/zstd stream can raise while being read.
CORRUPT_ARCHIVE_ERRORS: tuple[type[BaseException], ...] = (
    CorruptArchiveError,
    EOFError,
    zlib.error,
    gzip.BadGzipFile,
    zstandard.ZstdError,
)


def open_decompressed(raw: IO[bytes], codec: str | None) -> IO[bytes]:
    """Wrap the binary stream `raw` in a buffered, line-iterable decompressing reader."""
    if codec is None:
        return raw
    if codec == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if codec == "zstd":
        return io.BufferedReader(_ZstdRawReader(raw), buffer_size=_CHUNK)
    raise ValueError(f"unknown compression {codec!r}")


def open_compressed(raw: IO[bytes], codec: str | None) -> IO[bytes]:
    """Wrap the binary stream `raw` in a deterministic compressing writer.

    Closing the returned writer finishes the compressed stream but leaves `raw` open.
    """
    if codec is None:
        return raw
    if codec == "gzip":
        # filename="" keeps the (temporary) file name out of the header; mtime=0 keeps the
        # clock out: both would otherwise make two runs differ.
        gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0)
        return cast(IO[bytes], gz)
    if codec == "zstd":
        compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True, threads=0)
        writer: IO[bytes] = compressor.stream_writer(raw, closefd=False)
        return writer
    raise ValueError(f"unknown compression {codec!r}")


class _ZstdRawReader(io.RawIOBase):
    """Decompress a (possibly multi-frame) zstd stream; raise if it ends inside a frame."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._obj: Any = self._dctx.decompressobj()
        self._in_frame = False  # bytes fed to the current frame, not yet finished
        self._pending = b""
        self._offset = 0  # how much of `_pending` has been handed out

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while self._offset >= len(self._pending):
            chunk = self._raw.read(_CHUNK)
            if not chunk:
                if self._in_frame:
                    raise CorruptArchiveError("zstd stream ends inside a frame (truncated)")
                return 0
            self._pending, self._offset = self._feed(chunk), 0
        size = min(len(view), len(self._pending) - self._offset)
        view[:size] = self._pending[self._offset : self._offset + size]
        self._offset += size
        return size

    def _feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data:
            try:
                out.append(self._obj.decompress(data))
            except zstandard.ZstdError as exc:
                raise CorruptArchiveError(f"zstd: {exc}") from exc
            self._in_frame = True
            if not self._obj.eof:
                break
            # Frame finished: anything after it starts the next frame.
            data = self._obj.unused_data
            self._obj = self._dctx.decompressobj()
            self._in_frame = False
        return b"".join(out)
