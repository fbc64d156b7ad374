"""Grouping short texts by meaning: average-linkage agglomerative clustering of their embeddings.
The two closest groups merge while their mean pairwise cosine similarity reaches `threshold`; a
group is labelled by its most central member. Unlike a greedy pass, the result does not depend on
the order the texts come in. The report reads at most `MAX_TEXTS` (the newest), which keeps the
similarity matrix small (≤ 1,000² floats) and the merging under a second."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.embeddings import Embedder, Matrix

MAX_TEXTS = 1000
# With MiniLM, questions on one topic score 0.4-0.7 against each other, unrelated ones under 0.2.
THRESHOLD = 0.4


@dataclass
class Cluster:
    members: list[int] = field(default_factory=list)  # indexes into the texts
    centre: int = 0  # the member nearest the group's mean direction


def _unit(vectors: Matrix) -> Matrix:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Matrix = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def cluster(embedder: Embedder, texts: Sequence[str], threshold: float = THRESHOLD) -> list[Cluster]:
    """Clusters, largest first (ties: the one whose first member came first)."""
    if not texts:
        return []
    vectors = _unit(np.asarray(embedder.embed(list(texts)[:MAX_TEXTS]), dtype=np.float32))
    n = len(vectors)
    sim = (vectors @ vectors.T).astype(np.float64)
    np.fill_diagonal(sim, -np.inf)
    members = [[i] for i in range(n)]
    while n > 1:
        i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
        if sim[i, j] < threshold:
            break
        a, b = len(members[i]), len(members[j])
        merged = (a * sim[i] + b * sim[j]) / (a + b)  # average linkage (Lance-Williams)
        sim[i, :], sim[:, i] = merged, merged
        sim[i, i] = -np.inf
        sim[j, :], sim[:, j] = -np.inf, -np.inf
        members[i] += members[j]
        members[j] = []
    groups = []
    for group in (sorted(m) for m in members if m):
        mean = vectors[group].sum(axis=0)
        centre = max(group, key=lambda k: float(vectors[k] @ mean))
        groups.append(Cluster(members=group, centre=centre))
    return sorted(groups, key=lambda g: (-len(g.members), g.members[0]))
