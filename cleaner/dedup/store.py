"""Append-only storage for `NearDupIndex`: compact arrays that grow without copies.

An index receives documents in small batches (a few hundred at a time) and needs them as
whole arrays only in `finish()`. Concatenating all batches at the end holds two copies at
once; a numpy array grown by reallocation copies itself at every resize (and holds old and
new at that moment). The classes here avoid both:

- `AppendArray`: a 1-D array in an anonymous private memory map. Appending writes after
  the end; when the map is full it is enlarged with ``mremap``, which moves page-table
  entries, not data, so growing never copies and never holds two copies. Only written pages
  are resident: the doubled capacity costs address space, not RAM. `view` is the array
  itself, no copy (band keys are kept one `AppendArray` per band, so that candidate
  generation reads each band without joining anything).
- `HashStore`: concatenated per-document hashes, such as the shingle hashes (4 bytes per
  distinct shingle, ~1.6 KB per news article: by far the largest part of an index). In RAM
  up to `spill_bytes`; beyond that everything goes to an anonymous temporary file (unlinked
  at creation, so nothing is left behind even if the process is killed). Verification
  `read`s the documents it compares with ``pread``, block by block, so the resident size
  stays bounded however large the store grows. `array` also offers the file as one memory
  map, but the pages a map reads count as resident, and a read fault maps 64 KiB around it
  (Linux "fault-around"; ``MADV_RANDOM`` does not stop it), so scattered reads soon map
  the whole file; dropping them with `release` (``MADV_DONTNEED``) after each block kept
  the resident size bounded but made verification of a million documents 2x slower overall
  (every read faulting again) than `read`.
- `IdLog`: the callers' document ids as UTF-8 bytes in one buffer plus end offsets (~8 bytes
  plus the id's length per document, instead of a ~60-byte Python string each); nothing at
  all is stored for documents added without ids, whose id is their position.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from typing import IO, Any, overload

import numpy as np
import numpy.typing as npt

U32Array = npt.NDArray[np.uint32]
I64Array = npt.NDArray[np.int64]
AnyArray = npt.NDArray[Any]

_INITIAL_BYTES = 1 << 16


class AppendArray:
    """A 1-D array that only grows at the end, in a memory map resized in place."""

    def __init__(self, dtype: npt.DTypeLike) -> None:
        self.dtype = np.dtype(dtype)
        self._map: mmap.mmap | None = None
        self._length = 0

    def __len__(self) -> int:
        return self._length

    @property
    def nbytes(self) -> int:
        """Bytes in use (resident; the unused capacity is address space only)."""
        return self._length * self.dtype.itemsize

    def append(self, values: AnyArray) -> None:
        """Write `values` (any shape: flattened in C order) after the current end."""
        data = np.ascontiguousarray(values, dtype=self.dtype).reshape(-1)
        if not data.size:
            return
        start = self.nbytes
        end = start + data.nbytes
        self._reserve(end)
        assert self._map is not None
        self._map[start:end] = data.data.cast("B")
        self._length += data.size

    def _reserve(self, needed: int) -> None:
        if self._map is None:
            self._map = _anonymous_map(max(_INITIAL_BYTES, needed))
            return
        if needed <= len(self._map):
            return
        capacity = max(needed, 2 * len(self._map))
        try:
            self._map.resize(capacity)  # mremap: no copy
        except BufferError:
            # A view handed out earlier is still alive: it keeps the old map; copy once.
            bigger = _anonymous_map(capacity)
            bigger[: self.nbytes] = self._map[: self.nbytes]
            self._map = bigger

    def view(self) -> AnyArray:
        """The array written so far (read-only, no copy). While a view is alive, the next
        growth copies instead of remapping, so drop views when done with them."""
        if self._map is None or not self._length:
            return np.zeros(0, dtype=self.dtype)
        out: AnyArray = np.frombuffer(self._map, dtype=self.dtype, count=self._length)
        out.flags.writeable = False
        return out

    def close(self) -> None:
        """Give the memory back (views still alive keep their map until they go)."""
        if self._map is not None:
            with contextlib.suppress(BufferError):
                self._map.close()
            self._map = None
        self._length = 0


def _anonymous_map(size: int) -> mmap.mmap:
    return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)


class HashStore:
    """Per-document ``uint32`` hashes, concatenated (shingles; the rewrite stage's sentence
    words too): in RAM, then in a temporary file.

    `spill_bytes`: how many bytes may stay in RAM before everything moves to a file in
    `spill_dir` (default: the system's temporary directory); ``None`` never spills. Appending
    only ever writes at the end; `read` fetches the ranges of the documents being compared.
    """

    def __init__(self, *, spill_bytes: int | None = None, spill_dir: str | None = None) -> None:
        self.spill_bytes = spill_bytes
        self.spill_dir = spill_dir
        self._ram = AppendArray(np.uint32)
        self._file: IO[bytes] | None = None
        self._file_items = 0
        self._map: mmap.mmap | None = None
        self._mapped: U32Array | None = None

    def __len__(self) -> int:
        return self._file_items + len(self._ram)

    @property
    def spilled(self) -> bool:
        return self._file is not None

    @property
    def ram_bytes(self) -> int:
        """Bytes of hashes held in RAM."""
        return self._ram.nbytes

    @property
    def disk_bytes(self) -> int:
        """Bytes of hashes in the temporary file."""
        return self._file_items * 4

    def append(self, hashes: U32Array) -> None:
        """Add the hashes of a batch of documents (after the ones already stored)."""
        if self._file is not None:
            self._write(hashes)
            return
        self._ram.append(hashes)
        if self.spill_bytes is not None and self._ram.nbytes > self.spill_bytes:
            # Owned by the store, closed in `close` (a ``with`` block cannot span calls).
            self._file = tempfile.TemporaryFile(dir=self.spill_dir)  # noqa: SIM115
            self._write(self._ram.view())
            self._ram.close()

    def _write(self, hashes: U32Array) -> None:
        assert self._file is not None
        data = np.ascontiguousarray(hashes, dtype=np.uint32)
        self._file.write(data.data.cast("B"))
        self._file_items += data.size

    def read(self, starts: I64Array, sizes: I64Array) -> U32Array:
        """The hashes ``[starts[i], starts[i] + sizes[i])`` of each range, concatenated.

        From a file, ranges that continue each other (consecutive documents, such as a block
        of representatives) are fetched with one ``pread``; the others with one each. The
        data comes from the page cache when it is still there, and only the result is
        resident: reading a million scattered documents this way costs ~2 s, where a
        memory map re-faulted after each release cost ~15 s.
        """
        starts = np.asarray(starts, dtype=np.int64)
        sizes = np.asarray(sizes, dtype=np.int64)
        first = np.cumsum(sizes) - sizes
        if self._file is None:
            gather = np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(starts - first, sizes)
            found: U32Array = self._ram.view()[gather]
            return found
        self._file.flush()
        out = np.empty(int(sizes.sum()), dtype=np.uint32)
        if not out.size:
            return out
        ends = starts + sizes
        run_first = np.flatnonzero(np.append(True, starts[1:] != ends[:-1]))
        run_last = np.append(run_first[1:], starts.size) - 1
        buffer = out.data.cast("B")
        fd = self._file.fileno()
        for begin, end, at in zip(
            starts[run_first].tolist(),
            ends[run_last].tolist(),
            first[run_first].tolist(),
            strict=True,
        ):
            if end > begin:
                _pread_exactly(fd, buffer[at * 4 : (at + end - begin) * 4], begin * 4)
        return out

    def array(self) -> U32Array:
        """All hashes as one read-only array, no copy: the RAM buffer, or a memory map of
        the file. Mapped pages that are read count as resident until `release`; `read` is
        the way to visit a large spilled store with bounded memory."""
        if self._file is None:
            in_ram: U32Array = self._ram.view()
            return in_ram
        if self._mapped is not None and self._mapped.size == self._file_items:
            return self._mapped
        self._unmap()
        self._file.flush()
        if not self._file_items:
            return np.zeros(0, dtype=np.uint32)
        self._map = mmap.mmap(self._file.fileno(), self._file_items * 4, access=mmap.ACCESS_READ)
        self._mapped = np.frombuffer(self._map, dtype=np.uint32)
        return self._mapped

    def release(self) -> None:
        """Drop the pages of the `array` memory map from the resident set (they stay in the
        page cache); a no-op in RAM."""
        if self._map is not None:
            self._map.madvise(mmap.MADV_DONTNEED)

    def _unmap(self) -> None:
        self._mapped = None
        if self._map is not None:
            # An array may still view it: it is then unmapped when that array goes.
            with contextlib.suppress(BufferError):
                self._map.close()
            self._map = None

    def close(self) -> None:
        """Free the RAM and delete the temporary file; the store is empty afterwards."""
        self._unmap()
        self._ram.close()
        if self._file is not None:
            self._file.close()
            self._file = None
        self._file_items = 0


def _pread_exactly(fd: int, buffer: memoryview, offset: int) -> None:
    """Fill `buffer` from file offset `offset` (``pread`` may return less than asked)."""
    while len(buffer):
        count = os.preadv(fd, [buffer], offset)
        if count <= 0:
            raise OSError(f"spill file ended at byte {offset}")
        buffer, offset = buffer[count:], offset + count


class IdLog:
    """Document ids in append order, packed (see module doc); `view` gives a `DocIds`."""

    def __init__(self) -> None:
        self._blocks: list[_IdBlock] = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self._blocks)

    def extend(self, ids: Sequence[str] | None, count: int) -> None:
        """Append `count` documents: their `ids`, or ``None`` for "the position is the id"."""
        if count == 0:
            return
        if ids is not None and len(ids) != count:
            raise ValueError(f"{len(ids)} ids for {count} documents")
        packed = ids is not None
        if not self._blocks or self._blocks[-1].packed != packed:
            self._blocks.append(_IdBlock(self._length, packed))
        self._blocks[-1].extend(ids, count)
        self._length += count

    def view(self) -> DocIds:
        """The ids added so far; later additions do not change it."""
        return DocIds(list(self._blocks), self._length)


class _IdBlock:
    """Consecutive documents whose ids are all packed, or all positions."""

    def __init__(self, start: int, packed: bool) -> None:
        self.start = start
        self.count = 0
        self.packed = packed
        self.data = bytearray()
        self.ends = array("q")

    @property
    def nbytes(self) -> int:
        return len(self.data) + self.ends.itemsize * len(self.ends)

    def extend(self, ids: Sequence[str] | None, count: int) -> None:
        if ids is not None:
            for text in ids:
                self.data += text.encode("utf-8", "surrogatepass")
                self.ends.append(len(self.data))
        self.count += count

    def get(self, k: int) -> str:
        if not self.packed:
            return str(self.start + k)
        begin = self.ends[k - 1] if k else 0
        return self.data[begin : self.ends[k]].decode("utf-8", "surrogatepass")


class DocIds(Sequence[str]):
    """Read-only sequence of document ids, equal to any sequence of the same strings."""

    __slots__ = ("_blocks", "_length", "_starts")

    def __init__(self, blocks: list[_IdBlock], length: int) -> None:
        self._blocks = blocks
        self._length = length
        self._starts = np.array([b.start for b in blocks], dtype=np.int64)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        i = int(index)
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(f"document {index} out of range ({self._length} documents)")
        block = self._blocks[int(np.searchsorted(self._starts, i, side="right")) - 1]
        return block.get(i - block.start)

    def __iter__(self) -> Iterator[str]:
        for block in self._blocks:
            for k in range(min(block.count, self._length - block.start)):
                yield block.get(k)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(other) == self._length and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DocIds({self._length} ids)"
