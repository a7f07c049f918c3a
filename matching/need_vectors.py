"""The matcher's own vectors for buyers' needs, for comparing needs with each other (demand
pooling: similar requirements from different organisations).

A need is analysed exactly as an offer is when it is added to the index (the same fields,
clean_text, the fitted vocabulary and IDF): its lexical row (BM25F weights x IDF, L2-normalised,
the LSA columns) and, when the index has an LSA model, its semantic (LSA) vector. Similarity is
the mean of the two cosines. Words the catalogue never uses carry no weight, so the vectors
compare needs in the terms the catalogue sells."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .engine.config import FIELDS
from .engine.index import Index
from .text import clean_text


def need_field_texts(
    *, title: str, problem: str, users: str, needs: Sequence[str]
) -> tuple[str, ...]:
    """A need's text in the engine's fields (title, summary, description, features, categories)."""
    by_field = {
        "title": title,
        "summary": problem,
        "description": users,
        "features": "\n".join(needs),
        "categories": "",
    }
    return tuple(clean_text(by_field.get(name, "")) for name in FIELDS)


def need_similarities(index: Index, texts: Sequence[tuple[str, ...]]) -> np.ndarray:
    """Square matrix of similarities (0 to 1) between the needs, in order."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    word = index._word_rows(list(texts), fit=False)
    lexical = index._lsa_input(word)
    similarity = np.asarray((lexical @ lexical.T).todense(), dtype=np.float32)
    semantic = index._lsa_vectors(word)
    if semantic.shape[1]:
        similarity = (similarity + semantic @ semantic.T) / 2
    return np.clip(similarity, 0.0, 1.0)
