"""Row masks: the web service says which offers are eligible as a boolean mask over the index
rows (built with numpy from an array of offer ids), not as a set of id strings that the index
would have to look up one by one.

`allowed_row_mask(index, offer_ids)` maps integer offer ids to rows by binary search over the
index's alive ids, sorted once per index version (an upsert or removal bumps the version). Pass
the result as `Filters(allowed_rows=mask)`. Build it and search under the same lock, so the index
cannot change in between (`matching.runtime.index_lock`)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _sorted_ids(index: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The alive rows' ids as sorted int64 and their rows; None when an id is not an integer."""
    key = (index._token, index._version, len(index._ids))
    cached = getattr(index, "_sorted_id_rows", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    count = len(index._row)
    try:
        ids = np.fromiter(map(int, index._row.keys()), dtype=np.int64, count=count)
    except ValueError:
        result = None
    else:
        rows = np.fromiter(index._row.values(), dtype=np.int64, count=count)
        order = np.argsort(ids, kind="stable")
        result = (ids[order], rows[order])
    index._sorted_id_rows = (key, result)
    return result


def allowed_row_mask(index: Any, offer_ids: Any) -> np.ndarray:
    """A boolean mask over the index rows: True for each alive row whose id is in offer_ids
    (an iterable or array of integer ids; ids the index does not hold are ignored)."""
    wanted = np.asarray(
        offer_ids if isinstance(offer_ids, np.ndarray) else list(offer_ids), dtype=np.int64
    )
    mask = np.zeros(len(index._ids), dtype=bool)
    found = _sorted_ids(index)
    if found is None:  # ids that are not integers: look each one up
        rows = [index._row.get(str(i), -1) for i in wanted.tolist()]
        rows_arr = np.asarray([r for r in rows if r >= 0], dtype=np.int64)
        mask[rows_arr] = True
        return mask
    ids, rows = found
    if not len(ids) or not len(wanted):
        return mask
    pos = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    hit = ids[pos] == wanted
    mask[rows[pos[hit]]] = True
    return mask
