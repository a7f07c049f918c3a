"""The index's on-disk format (matching/engine/storage.py): .npy arrays and JSON, no pickle."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from matching.engine import (
    ENGINE_VERSION,
    Document,
    Embedder,
    EngineConfig,
    Index,
    IndexVersionError,
    build_index,
    storage,
)
from tests.matching.test_engine import _catalogue, _random_catalogue

QUERIES = ["cloud hosting", "security research", "payroll", "web data network support"]


def _ranking(idx: Index, queries: Sequence[str] = QUERIES) -> list[list[tuple[str, float]]]:
    return [[(r.id, r.score) for r in idx.search(q, top_k=20)] for q in queries]


class HashEmbedder(Embedder):
    """A tiny deterministic embedder (bag of hashed words), standing in for a real model."""

    name = "hash-embedder"

    def encode(self, texts, *, is_query=False):
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, sum(map(ord, word)) % 16] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


def test_an_index_is_a_folder_of_plain_npy_files_and_json(tmp_path: Path) -> None:
    idx = build_index(_random_catalogue(random.Random(21)))
    idx.upsert([Document(id="late", title="Cloud research network", price="12.50")])
    idx.save(tmp_path / "index")
    files = sorted(p.name for p in (tmp_path / "index").iterdir())
    assert "meta.json" in files
    assert all(name == "meta.json" or name.endswith(".npy") for name in files)
    meta = json.loads((tmp_path / "index" / "meta.json").read_text())
    assert meta["format"] == storage.FORMAT and meta["engine_version"] == ENGINE_VERSION
    assert sorted(f"{name}.npy" for name in meta["arrays"]) == sorted(set(files) - {"meta.json"})
    doc = storage.__doc__
    for name, spec in meta["arrays"].items():
        # memory-mappable, never pickled, and as meta.json says
        array = np.load(tmp_path / "index" / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        assert isinstance(array, np.memmap) or array.size == 0
        assert array.dtype.str == spec["dtype"] and list(array.shape) == spec["shape"]
        # every file is described in the format's documentation (the delta segment's files
        # are "the same four" as the main segment's)
        documented = name.replace("delta.", "main.", 1)
        if documented.rsplit(".", 1)[-1] in ("data", "indices", "indptr"):
            assert documented.rsplit(".", 1)[0] + ".*" in doc, name
        else:
            assert documented + ".npy" in doc, name
    assert {seg["name"] for seg in meta["segments"]} == {"main", "delta"}
    assert meta["arrays"]["lsa_components"]["dtype"] == "<f4"


def test_save_and_load_give_identical_rankings_and_documents(tmp_path: Path) -> None:
    docs = _catalogue() + [
        Document(id="o-str-price", title="Ünïcode “quotes” \ud800 lone", price="99.90"),
        Document(id="o-int-price", title="Integer price", price=7, rating=4),
    ]
    idx = build_index(docs, EngineConfig(lsa_components=5))
    idx.remove(["o-ux"])
    idx.save(tmp_path / "index")
    loaded = Index.load(tmp_path / "index")
    assert _ranking(loaded) == _ranking(idx)
    for doc in docs:
        assert loaded.get(doc.id) == idx.get(doc.id)
    assert type(loaded.get("o-hosting").price) is Decimal
    assert loaded.get("o-str-price").price == "99.90"
    assert loaded.get("o-int-price").price == 7 and "o-ux" not in loaded
    assert loaded.config == idx.config and loaded.svd.components_.flags.f_contiguous
    # a loaded index keeps taking upserts and removals like the original
    for other in (idx, loaded):
        other.upsert([Document(id="new", title="Payroll for schools", lot_id="l9")])
        other.remove(["o-hosting"])
    assert _ranking(loaded) == _ranking(idx)


def test_bytes_round_trip_and_an_empty_index(tmp_path: Path) -> None:
    empty = build_index([])
    clone = Index.from_bytes(empty.to_bytes())
    assert len(clone) == 0 and clone.search("anything") == []
    clone.upsert(_catalogue())
    assert clone.search("cloud hosting", top_k=1)[0].id == "o-hosting"
    empty.save(tmp_path / "empty")
    assert len(Index.load(tmp_path / "empty")) == 0


def test_an_index_from_another_engine_version_is_refused(tmp_path: Path) -> None:
    idx = build_index(_catalogue())
    idx.save(tmp_path / "index")
    meta_path = tmp_path / "index" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["engine_version"] = "ndx-matching-1.1.0"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexVersionError):
        Index.load(tmp_path / "index")
    old_file = tmp_path / "index-7.bin"  # the pickled single file of engine 1.1
    old_file.write_bytes(b"\x80\x05not an index folder")
    with pytest.raises(IndexVersionError):
        Index.load(old_file)
    with pytest.raises(IndexVersionError):
        Index.from_bytes(b"\x80\x05not an archive")


def test_a_failed_save_leaves_the_previous_index_whole(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "index"
    first = build_index(_catalogue())
    first.save(target)
    calls = {"n": 0}
    real_save = np.save

    def failing_save(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError("disk full")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(storage.np, "save", failing_save)
    second = build_index(_random_catalogue(random.Random(3)))
    with pytest.raises(OSError, match="disk full"):
        second.save(target)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]  # no temporary left over
    assert _ranking(Index.load(target)) == _ranking(first)
    second.save(target)  # replacing a saved index works
    assert _ranking(Index.load(target)) == _ranking(second)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


def test_embeddings_are_stored_and_the_embedder_must_be_given_back(tmp_path: Path) -> None:
    idx = build_index(_catalogue(), embedder=HashEmbedder())
    idx.save(tmp_path / "index")
    assert (tmp_path / "index" / "main.emb.npy").exists()
    with pytest.raises(ValueError, match="pass embedder="):
        Index.load(tmp_path / "index")
    loaded = Index.load(tmp_path / "index", embedder=HashEmbedder())
    assert _ranking(loaded) == _ranking(idx)
    meta = json.loads((tmp_path / "index" / "meta.json").read_text())
    assert meta["embedder"] == {"class": "HashEmbedder", "name": "hash-embedder"}
