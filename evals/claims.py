"""`academy eval claims`: the claim check's precision and recall on a committed set of marketing
sentences about the demo course, each labelled by hand as held or not held by the course
(`evals/data/claims-{course}.jsonl`, written for the purpose: plausible promises for a music store,
half of them about what Open Music Theory teaches, half about what it does not, hard ones included).

The check runs as the platform runs it (`rag.claims.check`, hybrid search and the embedding model on
the course's own index); "positive" is *flagged as unsupported*, what the check exists to catch:
precision is the share of flags that were right, recall the share of unsupported promises flagged."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.datasets import Doc, RetrievalSet
from evals.retrieval import EVAL_STORE, build_index, machine
from rag.claims import check
from rag.embeddings import Embedder
from rag.index import SearchFilter
from rag.retriever import Retriever

DATA = Path(__file__).resolve().parent / "data"


def counts_of(dataset: Path) -> dict[str, int]:
    rows = [json.loads(line) for line in (dataset / "lessons.jsonl").read_text().splitlines() if line.strip()]
    return {"lessons": len(rows), "modules": len({r.get("module") for r in rows})}


def run_claims_eval(dataset: Path, embedder: Embedder, out: Path, labels: str | None = None) -> dict[str, Any]:
    """`labels` names the labelled set (`claims-{labels}.jsonl`; default: the dataset's name)."""
    name = labels or dataset.name
    labelled = [json.loads(x) for x in (DATA / f"claims-{name}.jsonl").read_text().splitlines() if x.strip()]
    lessons = [json.loads(x) for x in (dataset / "lessons.jsonl").read_text().splitlines() if x.strip()]
    docs = [Doc(str(r["id"]), str(r["title"]), str(r["markdown"]), True) for r in lessons]
    data = RetrievalSet(dataset.name, "course", docs)
    counts = counts_of(dataset)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="academy-eval-") as folder:
        built = build_index(data, embedder, Path(folder) / "index", 200, None)
        retriever = Retriever(built.runtime)
        started = time.perf_counter()
        try:
            for item in labelled:
                verdicts = check(
                    item["text"], lambda q: retriever.search_filtered(q, SearchFilter(EVAL_STORE), 4),
                    embedder.embed, counts,
                )  # fmt: skip
                flagged = any(not v.supported for v in verdicts)
                first = verdicts[0] if verdicts else None
                rows.append({
                    "id": item["id"], "text": item["text"], "supported": item["supported"], "flagged": flagged,
                    "checked": bool(verdicts), "reason": first.reason if first else "not a promise",
                    "share": first.share if first else None, "similarity": first.similarity if first else None,
                })  # fmt: skip
        finally:
            built.runtime.close()
        seconds = time.perf_counter() - started
    true_flags = sum(r["flagged"] and not r["supported"] for r in rows)
    flags = sum(r["flagged"] for r in rows)
    unsupported = sum(not r["supported"] for r in rows)
    report = {
        "dataset": name, "date": time.strftime("%Y-%m-%d"), "machine": machine(),
        "sentences": len(rows), "unsupported": unsupported, "checked": sum(r["checked"] for r in rows),
        "precision": round(true_flags / flags, 3) if flags else 0.0,
        "recall": round(true_flags / unsupported, 3) if unsupported else 0.0,
        "accuracy": round(sum(r["flagged"] != r["supported"] for r in rows) / len(rows), 3),
        "seconds_per_sentence": round(seconds / len(rows), 3),
        "mistakes": [r for r in rows if r["flagged"] == r["supported"]],
        "rows": rows,
    }  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    (out / f"claims-{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"claims-{name}.md").write_text(markdown_report(report))
    return report


def markdown_report(r: dict[str, Any]) -> str:
    m = r["machine"]
    mistakes = "\n".join(
        f"| {x['id']} | {x['text']} | {'held' if x['supported'] else 'not held'} | {x['reason']} |"
        for x in r["mistakes"]
    )
    return f"""# Claim check on {r["dataset"]} (`academy eval claims`)

{r["date"]}; {m.get("processor")}, {m.get("cpus")} cores, Python {m.get("python")}.
{r["sentences"]} labelled marketing sentences ({r["unsupported"]} not held by the course); {r["checked"]} read
as promises. Positive: flagged as unsupported.

| metric | value |
|---|---|
| precision (flags that were right) | **{r["precision"]}** |
| recall (unsupported promises flagged) | **{r["recall"]}** |
| accuracy | {r["accuracy"]} |
| time per sentence | {r["seconds_per_sentence"]} s |

Mistakes:

| id | sentence | label | the check said |
|---|---|---|---|
{mistakes or "| - | none | | |"}
"""
