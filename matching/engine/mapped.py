"""Memory-mapped loading: several processes on one machine share one copy of an index.

`load_index` opens every ``.npy`` file of an index folder with ``np.load(mmap_mode="c")``:
the arrays are read from the page cache, shared by every process that maps the same files,
and copy-on-write, so the rare in-place change a process makes (marking a row removed) copies
only the page it touches into that process. Arrays the index rebuilds (appending upserts,
merging the delta, compacting) become ordinary private arrays, as before.

The offers' stored texts stay in the mapped ``texts.npy`` too (`MappedTexts`): a row's bytes
are sliced out when it is read (explanations, `document`), instead of each process holding a
private list of every row's bytes.

A mapping stays valid after its folder is replaced or deleted (the kernel keeps the file until
the last mapping closes), so an atomic folder swap never pulls the files out from under a
process that is still searching the old index."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


class MappedTexts:
    """A list of bytes (row -> zlib-compressed texts) backed by the mapped texts array and its
    offsets; rows changed or appended after loading are kept in this process."""

    def __init__(self, texts: np.ndarray, offsets: np.ndarray) -> None:
        self._texts = texts
        self._offsets = offsets
        self._base = max(0, len(offsets) - 1)
        self._changed: dict[int, bytes] = {}
        self._extra: list[bytes] = []

    def __len__(self) -> int:
        return self._base + len(self._extra)

    def __getitem__(self, row: int) -> bytes:
        if row < 0:
            row += len(self)
        if row >= self._base:
            return self._extra[row - self._base]
        changed = self._changed.get(row)
        if changed is not None:
            return changed
        start, stop = int(self._offsets[row]), int(self._offsets[row + 1])
        return self._texts[start:stop].tobytes()

    def __setitem__(self, row: int, value: bytes) -> None:
        if row < 0:
            row += len(self)
        if row >= self._base:
            self._extra[row - self._base] = value
        elif 0 <= row < self._base:
            self._changed[row] = value
        else:
            raise IndexError(row)

    def __iter__(self) -> Iterator[bytes]:
        for row in range(len(self)):
            yield self[row]

    def append(self, value: bytes) -> None:
        self._extra.append(value)

    def total_bytes(self) -> int:
        changed = sum(len(v) for v in self._changed.values())
        replaced = sum(
            int(self._offsets[r + 1] - self._offsets[r]) for r in self._changed if r < self._base
        )
        return int(self._texts.nbytes) - replaced + changed + sum(len(v) for v in self._extra)


def load_arrays(path, names) -> dict[str, np.ndarray]:
    """Every named ``.npy`` file of an index folder, memory-mapped copy-on-write (never pickled)."""
    arrays = {}
    for name in names:
        file = path / f"{name}.npy"
        try:
            arrays[name] = np.load(file, mmap_mode="c", allow_pickle=False)
        except ValueError:  # numpy cannot map an array with no data bytes (empty): read it
            arrays[name] = np.load(file, allow_pickle=False)
    return arrays
