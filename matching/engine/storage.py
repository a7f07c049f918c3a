"""Storage: the on-disk format of a matching index (no pickle).

An index is a folder of plain, uncompressed NumPy ``.npy`` files (loading maps them with
``np.load(path, mmap_mode="c")``, see mapped.py) and one ``meta.json``. Nothing is pickled:
``np.load`` is always called with ``allow_pickle=False``, and loading never runs code from the file.

Files (n = rows, alive or removed-but-not-yet-compacted; V = word columns: single terms then
phrases; T = single terms; C = char n-gram columns; L = LSA columns; k = LSA components;
e = embedding size; K = categories). Sparse matrices are stored as three arrays,
``<name>.data.npy``, ``<name>.indices.npy`` and ``<name>.indptr.npy``, with the shape and format
(csc or csr) in ``meta.json``; index arrays keep the dtype they had in memory (int32, or int64
for very large matrices).

======================  =========  ==============  ===========================================
file                    dtype      shape           what
======================  =========  ==============  ===========================================
idf.npy                 float32    (V,)            smoothed IDF of each word column
phrase_keys.npy         int64      (V - T,)        sorted phrase keys ``left << 32 | right``
char_idf.npy            float32    (C,)            smoothed IDF of each char n-gram column
lsa_cols.npy            int64      (L,)            word columns LSA reads, ascending
lsa_pos.npy             int32      (V,)            word column -> LSA feature, -1 if none
lsa_components.npy      float32    (k, L)          LSA projection, Fortran (column-major)
                                                   order; absent when LSA is off
main.word.*             float32    (n_main, V)     csc: BM25F weights of the main segment
main.char.*             float32    (n_main, C)     csc: char TF-IDF rows (L2-normalised)
main.lsa.npy            float32    (n_main, k)     LSA vectors (k = 0 when LSA is off)
main.emb.npy            float32    (n_main, e)     embedding rows; absent without embedder
delta.word.* ...                   (n_delta, ...)  the same four for the delta segment, when
                                                   there is one (upserts since the build)
alive.npy               bool       (n,)            row still in the index (not removed)
tie.npy                 uint64     (n,)            tie-break key (sha256 of the id)
price.npy               float64    (n,)            price, NaN when unknown
lot.npy                 int32      (n,)            lot code (meta ``codes.lot``), -1 for none
host.npy                int32      (n,)            hosting code (``codes.host``), -1 for none
cert.npy                uint64     (n,)            bit set of certificate codes (< 64)
categories.*            float32    (n, K)          csr: 1 where the offer is in a category
texts.npy               uint8      (total bytes,)  each row's zlib-compressed UTF-8 JSON
                                                   ``[title, summary, description, features,
                                                   categories]``, end to end (b"" if removed)
text_offsets.npy        int64      (n + 1,)        row r's texts are texts[off[r]:off[r + 1]]
======================  =========  ==============  ===========================================

``meta.json``: ``format`` ("ndx-matching-index"), ``format_version`` (1), ``engine_version``
(must equal ENGINE_VERSION, else IndexVersionError), ``config`` (every EngineConfig field),
``embedder`` (null, or its class and settings; only SentenceTransformerEmbedder is rebuilt by
itself, any other embedder must be passed to `load`), ``fitted``, ``rows`` (n), ``ids`` (n
offer ids), ``terms`` (T single terms in column order), ``char_grams`` (C n-grams in column
order), ``avg_len`` (average length per field), ``rare_idf``, ``codes`` (lot, host and cert
labels in code order), ``categories`` (K category names in column order), ``meta`` (per-row
columns ``supplier_id``, ``supplier_name``, ``price``, ``lot_id``, ``hosting_location``,
``certifications`` (sorted lists) and ``rating``; a Decimal price is ``{"decimal": "12.50"}``,
other prices keep their JSON type), ``segments`` (per segment: its row count and sparse
shapes) and ``arrays`` (each file's dtype and shape, checked on load).

Saving writes every file into a fresh temporary folder beside the target, fsyncs them, and
renames the folder into place, so a reader sees either the whole old index or the whole new one.
`index_to_bytes` packs the same files into one uncompressed tar archive.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from .config import ENGINE_VERSION, config_from_mapping
from .mapped import MappedTexts, load_arrays
from .segments import _Interner, _Segment
from .semantic import Embedder, LsaModel, SentenceTransformerEmbedder

FORMAT = "ndx-matching-index"
FORMAT_VERSION = 1
META = "meta.json"


class IndexVersionError(RuntimeError):
    """The stored index was built by a different ENGINE_VERSION (or an older format); rebuild."""


# --------------------------------------------------------------------------- writing


def _jsonable_price(value: Any) -> Any:
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def _price_from_json(value: Any) -> Any:
    return Decimal(value["decimal"]) if isinstance(value, dict) else value


def _embedder_meta(embedder: Embedder | None) -> dict[str, Any] | None:
    if embedder is None:
        return None
    meta: dict[str, Any] = {"class": type(embedder).__name__, "name": embedder.name}
    if isinstance(embedder, SentenceTransformerEmbedder):
        meta.update(
            model_path=embedder.model_path,
            device=embedder.device,
            batch_size=embedder.batch_size,
            max_chars=embedder.max_chars,
        )
    return meta


def _files(index: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(meta.json content, {file name: array}) for an index."""
    index._delta_segment()  # store the delta as one block
    arrays: dict[str, np.ndarray] = {
        "idf": index._idf,
        "phrase_keys": index._phrase_keys,
        "char_idf": index._char_idf,
        "lsa_cols": index._lsa_cols,
        "lsa_pos": index._lsa_pos,
        "alive": index._alive,
        "tie": index._tie,
        "price": index._price,
        "lot": index._lot,
        "host": index._host,
        "cert": index._cert,
    }
    if index.svd is not None:
        arrays["lsa_components"] = index.svd.components_
    segments = []
    parts = [("main", index._main)] + [("delta", part) for part in index._delta_parts]
    for name, segment in parts:
        info: dict[str, Any] = {"name": name, "rows": segment.rows, "lsa": list(segment.lsa.shape)}
        for channel in ("word", "char"):
            matrix = getattr(segment, channel)
            info[channel] = list(matrix.shape)
            arrays[f"{name}.{channel}.data"] = matrix.data
            arrays[f"{name}.{channel}.indices"] = matrix.indices
            arrays[f"{name}.{channel}.indptr"] = matrix.indptr
        arrays[f"{name}.lsa"] = segment.lsa
        if segment.emb is not None:
            arrays[f"{name}.emb"] = segment.emb
        info["emb"] = segment.emb is not None
        segments.append(info)
    cats = index._doc_categories
    arrays["categories.data"] = cats.data
    arrays["categories.indices"] = cats.indices
    arrays["categories.indptr"] = cats.indptr
    lengths = np.fromiter((len(t) for t in index._texts), dtype=np.int64, count=len(index._texts))
    offsets = np.zeros(len(index._texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    arrays["texts"] = np.frombuffer(b"".join(index._texts), dtype=np.uint8)
    arrays["text_offsets"] = offsets
    columns = list(zip(*index._meta, strict=True)) if index._meta else [()] * 7
    supplier_id, supplier_name, price, lot_id, hosting, certs, rating = columns
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "engine_version": index.engine_version,
        "config": asdict(index.config),
        "embedder": _embedder_meta(index.embedder),
        "fitted": index._fitted,
        "rows": len(index._ids),
        "ids": index._ids,
        "terms": sorted(index._terms, key=index._terms.__getitem__),
        "char_grams": sorted(index._char_vocab, key=index._char_vocab.__getitem__),
        "avg_len": index._avg_len,
        "rare_idf": index._rare_idf,
        "codes": {
            kind: sorted(codes, key=codes.__getitem__) for kind, codes in index._codes.items()
        },
        "categories": sorted(index._category_names, key=index._category_names.__getitem__),
        "categories_shape": list(cats.shape),
        "meta": {
            "supplier_id": list(supplier_id),
            "supplier_name": list(supplier_name),
            "price": [_jsonable_price(p) for p in price],
            "lot_id": list(lot_id),
            "hosting_location": list(hosting),
            "certifications": [sorted(c) for c in certs],
            "rating": list(rating),
        },
        "segments": segments,
        "arrays": {
            name: {"dtype": array.dtype.str, "shape": list(array.shape)}
            for name, array in arrays.items()
        },
    }
    return meta, arrays


def _write_folder(index: Any, folder: Path) -> None:
    meta, arrays = _files(index)
    for name, array in arrays.items():
        with open(folder / f"{name}.npy", "wb") as handle:
            np.save(handle, array, allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())
    with open(folder / META, "w", encoding="utf-8") as handle:
        json.dump(meta, handle, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def save_index(index: Any, target: Path) -> None:
    """Write the index folder at `target` atomically: a temporary folder renamed into place.
    An existing folder (or old single-file index) at `target` is replaced."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-", suffix=".tmp"))
    try:
        _write_folder(index, tmp)
        _fsync_dir(tmp)
        old = None
        if target.exists() or target.is_symlink():
            old = target.with_name(f".{target.name}-{secrets.token_hex(4)}.old")
            os.replace(target, old)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def index_to_bytes(index: Any) -> bytes:
    """The index's files in one uncompressed tar archive."""
    meta, arrays = _files(index)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        members = [(META, json.dumps(meta, separators=(",", ":")).encode("ascii"))]
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            members.append((f"{name}.npy", buffer.getvalue()))
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


# --------------------------------------------------------------------------- reading


def _check_meta(meta: Any) -> dict[str, Any]:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexVersionError("not an NDX matching index folder: rebuild it")
    version = meta.get("engine_version")
    if version != ENGINE_VERSION or meta.get("format_version") != FORMAT_VERSION:
        raise IndexVersionError(f"index built by {version!r}, engine is {ENGINE_VERSION!r}")
    return meta


def _embedder_from_meta(meta: dict[str, Any] | None, embedder: Embedder | None) -> Embedder | None:
    if embedder is not None or meta is None:
        return embedder
    if meta.get("class") == SentenceTransformerEmbedder.__name__:
        return SentenceTransformerEmbedder(
            model_path=meta.get("model_path"),
            device=meta.get("device", "cpu"),
            batch_size=meta.get("batch_size", 64),
            max_chars=meta.get("max_chars", 2000),
        )
    raise ValueError(
        f"this index was built with the embedder {meta.get('class')!r}: pass embedder= to load it"
    )


def _assemble(cls: type, meta: dict[str, Any], arrays: dict[str, np.ndarray], embedder) -> Any:
    for name, spec in meta["arrays"].items():
        array = arrays.get(name)
        if array is None:
            raise ValueError(f"matching index is missing {name}.npy")
        if array.dtype.str != spec["dtype"] or list(array.shape) != spec["shape"]:
            raise ValueError(f"matching index file {name}.npy has the wrong dtype or shape")
    config = config_from_mapping(
        {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in meta["config"].items()
        }
    )
    index = cls(config, embedder=_embedder_from_meta(meta.get("embedder"), embedder))
    index.engine_version = meta["engine_version"]
    index._fitted = bool(meta["fitted"])
    index._terms = {term: col for col, term in enumerate(meta["terms"])}
    index._char_vocab = {gram: col for col, gram in enumerate(meta["char_grams"])}
    index._avg_len = dict(meta["avg_len"])
    index._rare_idf = meta["rare_idf"]
    for name in ("idf", "phrase_keys", "char_idf", "lsa_cols", "lsa_pos"):
        setattr(index, f"_{name}", arrays[name])
    index.svd = LsaModel(arrays["lsa_components"]) if "lsa_components" in arrays else None

    def matrix(prefix: str, shape: list[int], kind: Any) -> Any:
        return kind(
            (arrays[f"{prefix}.data"], arrays[f"{prefix}.indices"], arrays[f"{prefix}.indptr"]),
            shape=tuple(shape),
        )

    segments = [
        _Segment(
            word=matrix(f"{info['name']}.word", info["word"], sp.csc_matrix),
            char=matrix(f"{info['name']}.char", info["char"], sp.csc_matrix),
            lsa=arrays[f"{info['name']}.lsa"],
            emb=arrays.get(f"{info['name']}.emb") if info["emb"] else None,
        )
        for info in meta["segments"]
    ]
    index._main = segments[0]
    index._delta_parts = segments[1:]
    index._delta = None
    intern = _Interner()
    index._intern = intern
    rows = meta["meta"]
    index._ids = list(meta["ids"])
    index._meta = [
        (
            intern(supplier_id),
            intern(supplier_name),
            _price_from_json(price),
            intern(lot_id),
            intern(hosting),
            intern(frozenset(certs)),
            rating,
        )
        for supplier_id, supplier_name, price, lot_id, hosting, certs, rating in zip(
            rows["supplier_id"],
            rows["supplier_name"],
            rows["price"],
            rows["lot_id"],
            rows["hosting_location"],
            rows["certifications"],
            rows["rating"],
            strict=True,
        )
    ]
    index._texts = MappedTexts(arrays["texts"], arrays["text_offsets"])
    for name in ("alive", "tie", "price", "lot", "host", "cert"):
        setattr(index, f"_{name}", arrays[name])
    index._codes = {
        kind: {label: code for code, label in enumerate(labels)}
        for kind, labels in meta["codes"].items()
    }
    index._category_names = {name: col for col, name in enumerate(meta["categories"])}
    index._doc_categories = matrix("categories", meta["categories_shape"], sp.csr_matrix)
    n = meta["rows"]
    if not (len(index._ids) == len(index._meta) == len(index._texts) == len(index._alive) == n):
        raise ValueError("matching index files disagree about the number of rows")
    index._row = {doc_id: i for i, doc_id in enumerate(index._ids) if index._alive[i]}
    return index


def load_index(cls: type, path: Path, embedder: Embedder | None = None) -> Any:
    """Read an index folder written by `save_index`. A file instead of a folder (the pickled
    single-file index of engine 1.1 and before) or another engine version: IndexVersionError."""
    path = Path(path)
    if path.is_file():
        raise IndexVersionError(f"{path} is a single-file index from an older engine: rebuild it")
    with open(path / META, encoding="utf-8") as handle:
        meta = _check_meta(json.load(handle))
    arrays = load_arrays(path, meta["arrays"])  # memory-mapped: shared between processes
    return _assemble(cls, meta, arrays, embedder)


def index_from_bytes(cls: type, data: bytes, embedder: Embedder | None = None) -> Any:
    """Read `index_to_bytes` output (anything else, e.g. an old pickle: IndexVersionError)."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except tarfile.TarError:
        raise IndexVersionError("not an NDX matching index archive (an older engine's?): rebuild")
    with tar:
        members = {}
        for member in tar.getmembers():
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                members[member.name] = handle.read()
    if META not in members:
        raise IndexVersionError("not an NDX matching index archive: rebuild it")
    meta = _check_meta(json.loads(members[META].decode("utf-8")))
    arrays = {}
    for name in meta["arrays"]:
        blob = members.get(f"{name}.npy")
        if blob is None:
            raise ValueError(f"matching index archive is missing {name}.npy")
        arrays[name] = np.load(io.BytesIO(blob), allow_pickle=False)
    return _assemble(cls, meta, arrays, embedder)
