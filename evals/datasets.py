"""Readers for the evaluation formats in `../shared/datasets`: a course (`lessons.jsonl` +
`qa.jsonl`) or a BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels/test.tsv`)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import BadRequest


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    markdown: bool


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    relevant: dict[str, int]
    kind: str = "all"


@dataclass
class RetrievalSet:
    name: str
    kind: str  # "course" | "beir"
    docs: list[Doc] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_retrieval_set(path: Path) -> RetrievalSet:
    if (path / "corpus.jsonl").is_file() and (path / "qrels").is_dir():
        return _beir(path)
    if (path / "lessons.jsonl").is_file() and (path / "qa.jsonl").is_file():
        return _course(path)
    raise BadRequest(f"{path}: expected a course folder (lessons.jsonl + qa.jsonl) or a BEIR folder")


def _course(path: Path) -> RetrievalSet:
    docs = [Doc(str(r["id"]), str(r["title"]), str(r["markdown"]), True) for r in _jsonl(path / "lessons.jsonl")]
    known = {d.id for d in docs}
    questions = [
        Question(str(r["id"]), str(r["question"]), {str(r["lesson_id"]): 1}, str(r.get("kind") or "all"))
        for r in _jsonl(path / "qa.jsonl")
        if str(r["lesson_id"]) in known
    ]
    return RetrievalSet(path.name, "course", docs, questions)


def _beir(path: Path, split: str = "test") -> RetrievalSet:
    qrels: dict[str, dict[str, int]] = {}
    with (path / "qrels" / f"{split}.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    docs = [Doc(str(r["_id"]), str(r.get("title") or ""), str(r["text"]), False) for r in _jsonl(path / "corpus.jsonl")]
    questions = [
        Question(str(r["_id"]), str(r["text"]), qrels[str(r["_id"])])
        for r in _jsonl(path / "queries.jsonl")
        if str(r["_id"]) in qrels
    ]
    return RetrievalSet(path.name, "beir", docs, questions)
