"""Sparse-matrix helpers shared by the lexical, character n-gram and semantic channels.

Owns building CSR matrices from triples, dropping and renumbering entries, stacking CSC row
blocks cheaply, and scikit-learn's smoothed IDF.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _sparse_scores(matrix: sp.csc_matrix, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
    if len(idx) == 0 or matrix.shape[0] == 0:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    return np.asarray(matrix[:, idx] @ weights.astype(np.float32)).ravel()


def _csc_vstack(top: sp.csc_matrix, bottom: sp.csc_matrix) -> sp.csc_matrix:
    """Stack the rows of two CSC matrices with the same columns in O(nnz) memory moves."""
    if bottom.shape[0] == 0:
        return top
    if top.shape[0] == 0:
        return bottom
    top_ptr = top.indptr.astype(np.int64)
    bottom_ptr = bottom.indptr.astype(np.int64)
    # the bottom block's entries of column c go right after the top block's entries of c
    bottom_cols = np.repeat(np.arange(bottom.shape[1]), np.diff(bottom_ptr))
    at = top_ptr[bottom_cols + 1]
    n_rows = top.shape[0] + bottom.shape[0]
    nnz = top.nnz + bottom.nnz
    index_dtype = np.int32 if max(nnz, n_rows) < 2**31 - 1 else np.int64
    indices = np.insert(
        top.indices.astype(index_dtype, copy=False),
        at,
        bottom.indices.astype(index_dtype) + top.shape[0],
    )
    data = np.insert(top.data, at, bottom.data).astype(np.float32, copy=False)
    indptr = (top_ptr + bottom_ptr).astype(index_dtype)
    return sp.csc_matrix((data, indices, indptr), shape=(n_rows, top.shape[1]))


def _csr_rows(n_rows: int, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_cols: int):
    """CSR matrix from (row, col, value) triples, summing duplicates."""
    return sp.coo_matrix((values, (rows, cols)), shape=(n_rows, n_cols)).tocsr()


def _row_of_entries(matrix: sp.csr_matrix) -> np.ndarray:
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))


def _keep_entries(
    matrix: sp.csr_matrix, keep: np.ndarray, new_cols: np.ndarray, n_cols: int
) -> sp.csr_matrix:
    """CSR with only the kept entries, their columns renumbered (order-preserving)."""
    rows = _row_of_entries(matrix)[keep]
    indptr = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=matrix.shape[0]), out=indptr[1:])
    return sp.csr_matrix(
        (matrix.data[keep], new_cols[keep].astype(np.int32), indptr),
        shape=(matrix.shape[0], n_cols),
    )


def _smooth_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """scikit-learn's smoothed IDF: ln((1 + n) / (1 + df)) + 1."""
    return (np.log((1.0 + n_docs) / (1.0 + df.astype(np.float64))) + 1.0).astype(np.float32)
