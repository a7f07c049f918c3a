"""Memory-mapped loading (matching/engine/mapped.py) and row masks (matching/engine/masks.py):
processes share one copy of the index files, changes stay in the process that makes them, and a
row mask gives exactly the results of the id set it stands for."""

from __future__ import annotations

import dataclasses
import mmap
import random
import shutil
from pathlib import Path

import numpy as np

from matching.engine import Filters, Index, allowed_row_mask, build_index
from matching.engine.mapped import MappedTexts
from tests.matching.test_engine import _random_catalogue

QUERIES = ["cloud hosting", "security research", "payroll", "web data network support"]


def _numbered(n: int = 150):
    docs = _random_catalogue(random.Random(7), n)
    return [dataclasses.replace(d, id=str(1000 + i)) for i, d in enumerate(docs)]


def _mapped(array) -> bool:
    """Whether the array's memory is a mapping of a file (possibly through views)."""
    while array is not None:
        if isinstance(array, mmap.mmap):
            return True
        array = getattr(array, "base", None)
    return False


def _ranking(idx: Index, filters: Filters | None = None):
    return [[(r.id, r.score) for r in idx.search(q, top_k=30, filters=filters)] for q in QUERIES]


def test_loaded_arrays_are_mapped_copy_on_write(tmp_path: Path) -> None:
    built = build_index(_numbered())
    built.save(tmp_path / "index")
    loaded = Index.load(tmp_path / "index")
    assert _mapped(loaded._main.word.data) and _mapped(loaded._main.word.indices)
    assert _mapped(loaded._main.lsa) and not _mapped(built._main.lsa)
    assert isinstance(loaded._alive, np.memmap) and loaded._alive.mode == "c"
    assert isinstance(loaded._texts, MappedTexts)
    assert _ranking(loaded) == _ranking(built)
    assert loaded.get("1003") == built.get("1003")
    on_disk = np.load(tmp_path / "index" / "alive.npy")
    loaded.remove(["1003"])
    assert loaded.get("1003") is None
    # The removal changed this process's copy only: the file (and other processes) keep it.
    assert np.array_equal(np.load(tmp_path / "index" / "alive.npy"), on_disk)
    assert Index.load(tmp_path / "index").get("1003") == built.get("1003")


def test_a_mapped_index_keeps_working_after_its_folder_is_deleted(tmp_path: Path) -> None:
    built = build_index(_numbered())
    built.save(tmp_path / "index")
    loaded = Index.load(tmp_path / "index")
    expected = _ranking(built)
    shutil.rmtree(tmp_path / "index")  # a swap pruned the old build
    assert _ranking(loaded) == expected
    loaded.upsert([dataclasses.replace(_numbered()[0], id="9999")])
    assert "9999" in {r.id for r in loaded.search("cloud hosting", top_k=200)}


def test_mapped_texts_behave_like_the_list_they_replace() -> None:
    blobs = [b"alpha", b"", b"gamma", b"delta"]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    texts = MappedTexts(np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets)
    assert list(texts) == blobs and len(texts) == 4 and texts[-1] == b"delta"
    texts[2] = b""
    texts.append(b"epsilon")
    assert list(texts) == [b"alpha", b"", b"", b"delta", b"epsilon"]
    assert texts.total_bytes() == sum(map(len, texts))


def test_a_row_mask_gives_exactly_the_results_of_its_id_set(tmp_path: Path) -> None:
    docs = _numbered()
    built = build_index(docs)
    built.save(tmp_path / "index")
    for idx in (built, Index.load(tmp_path / "index")):
        rng = random.Random(3)
        allowed = [int(d.id) for d in docs if rng.random() < 0.9]
        mask = allowed_row_mask(idx, allowed + [5, 77777])  # unknown ids are ignored
        by_ids = _ranking(idx, Filters(allowed_ids=[str(i) for i in allowed]))
        assert _ranking(idx, Filters(allowed_rows=mask)) == by_ids
        assert any(by_ids) and mask.sum() == len(allowed)
        suppliers = idx.rank_suppliers("cloud hosting", top_k=5, filters=Filters(allowed_rows=mask))
        assert all(int(r.id) in set(allowed) for s in suppliers for r in s.offers)
        assert not allowed_row_mask(idx, []).any()


def test_a_row_mask_excludes_rows_added_after_it_was_built() -> None:
    docs = _numbered()
    idx = build_index(docs)
    mask = allowed_row_mask(idx, [int(d.id) for d in docs])
    idx.upsert([dataclasses.replace(docs[0], id="5000")])
    assert "5000" in {r.id for r in idx.search("cloud hosting", top_k=200)}
    found = {
        r.id for r in idx.search("cloud hosting", top_k=200, filters=Filters(allowed_rows=mask))
    }
    assert "5000" not in found and len(found) > 10
    # Built again after the change (the index version moved), the mask includes the new row.
    fresh = allowed_row_mask(idx, [5000])
    found = {
        r.id for r in idx.search("cloud hosting", top_k=5, filters=Filters(allowed_rows=fresh))
    }
    assert found == {"5000"}


def test_row_masks_work_when_some_index_ids_are_not_numbers() -> None:
    docs = _numbered(40)
    docs[5] = dataclasses.replace(docs[5], id="not-a-number")
    idx = build_index(docs)
    mask = allowed_row_mask(idx, [1000, 1001, 424242])
    assert mask.sum() == 2
    assert mask[idx._row["1000"]] and mask[idx._row["1001"]]
