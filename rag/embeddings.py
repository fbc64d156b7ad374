"""Dense embeddings behind one small protocol: all-MiniLM-L6-v2 on onnxruntime (embedded default)
or any OpenAI-compatible `/embeddings` endpoint."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before onnxruntime is imported

import httpx
import numpy as np
from numpy.typing import NDArray

from rag import model_files

Matrix = NDArray[np.float32]


class Embedder(Protocol):
    model_id: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> Matrix:
        """L2-normalised rows, one per text."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for `text` (special tokens included)."""
        ...


class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): tokenise, run, mean-pool over the attention mask, L2-normalise."""

    model_id = model_files.MODEL_ID
    dimensions = model_files.DIMENSIONS

    def __init__(self, threads: int = 2, batch_size: int = 32, max_tokens: int = model_files.MAX_TOKENS) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(
            str(model_files.locate(model_files.ONNX_MODEL)), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(model_files.locate(model_files.TOKENIZER)))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()
        self._counter = Tokenizer.from_file(str(model_files.locate(model_files.TOKENIZER)))
        self._counter.no_truncation()
        self._counter.no_padding()
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self.texts_embedded = 0

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text).ids)

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._embed_batch([texts[i] for i in batch])
        self.texts_embedded += len(texts)
        return out

    def _embed_batch(self, texts: list[str]) -> Matrix:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        with self._lock:  # one inference at a time: the session already uses every thread it is given
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        normalised: Matrix = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised


class OpenAIEmbeddings:
    """Any OpenAI-compatible `POST {base_url}/embeddings` (OpenAI, vLLM, Ollama, llama.cpp, TEI)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        dimensions: int,
        api_key: str | None = None,
        batch_size: int = 64,
        timeout: float = 60.0,
        count_with: Embedder | None = None,
    ) -> None:
        self.model_id = model
        self.dimensions = dimensions
        self.batch_size = batch_size
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
        )
        self._count_with = count_with

    def count_tokens(self, text: str) -> int:
        if self._count_with is not None:
            return self._count_with.count_tokens(text)
        return max(1, len(text) // 4)

    def embed(self, texts: Sequence[str]) -> Matrix:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            response = self._client.post("/embeddings", json={"model": self.model_id, "input": batch})
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            rows.extend(item["embedding"] for item in data)
        matrix = np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)
        if matrix.shape[1] != self.dimensions:
            raise ValueError(f"endpoint returned {matrix.shape[1]} dimensions, settings say {self.dimensions}")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        normalised: Matrix = (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised
