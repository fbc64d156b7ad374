"""`academy`: serve, worker, db, users, stores, keys, courses, demo."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before any native runtime is imported

import getpass
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cli import eval_creator, mcp_command
from core import identity, migrate
from core.db import Database
from core.errors import AppError, ConfigurationError
from core.principal import Principal
from core.settings import Settings, get_settings

app = typer.Typer(
    help="Academy: courses, commerce, email and agents for creators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
stores_app = typer.Typer(help="Stores (tenants).", no_args_is_help=True)
keys_app = typer.Typer(help="Store API keys.", no_args_is_help=True)
courses_app = typer.Typer(help="Courses.", no_args_is_help=True)
eval_app = typer.Typer(help="Quality evaluations.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (users_app, "users"),
    (stores_app, "stores"),
    (keys_app, "keys"),
    (courses_app, "courses"),
    (eval_app, "eval"),
):
    app.add_typer(sub, name=name)
app.command("mcp")(mcp_command.mcp)
eval_app.command("creator")(eval_creator.eval_creator)

console = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    return get_settings()


def _database(settings: Settings) -> Database:
    from wiring import install_listeners

    migrate.upgrade(settings.resolved_database_url)
    install_listeners()  # a command's writes keep enrollments and the index in step, as the API's do
    return Database(settings.resolved_database_url)


def _owner(db: Database, store_slug: str) -> Principal:
    with db.transaction() as session:
        store = identity.get_store_by_slug(session, store_slug)
        if store is None:
            raise AppError(
                f"no store '{store_slug}' (create it with: academy stores create {store_slug} --owner EMAIL)"
            )
        return Principal.system(store.id, user_id=store.owner_id)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _stage_progress(bar: Progress) -> Callable[[str, int, int], None]:
    """A progress callback that opens one bar per stage (indexing, each mode, ...)."""
    tasks: dict[str, TaskID] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done)

    return progress


# --- serve and worker ----------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default ACADEMY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ACADEMY_PORT).")] = None,
) -> None:
    """Run the platform: migrations, demo data, the API, the job runner and the scheduler."""
    import uvicorn

    from api.app import create_app
    from api.logs import log_config

    settings = _settings().serving(host, port)  # links follow --host/--port unless ACADEMY_PUBLIC_BASE_URL is set
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    db = _database(settings)
    if settings.demo:
        _load_demo(db, settings)
    uvicorn.run(
        create_app(settings, db=db),
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=log_config(),  # stream tokens are redacted from the access log
        timeout_graceful_shutdown=10,
    )


@app.command()
def worker(workers: Annotated[int, typer.Option(min=1, max=64)] = 2) -> None:
    """Run background jobs in this process (with ACADEMY_REDIS_URL, or beside `serve` on SQLite)."""
    from core.jobs import jobs_backend, run_worker

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    prepare_worker(settings)
    console.print(f"worker: {workers} thread(s) on the {jobs_backend(settings)} queue")
    run_worker(workers)


def prepare_worker(settings: Settings) -> Database:
    """What `academy worker` does before it consumes: the context and the one wiring `serve` installs."""
    from core.context import set_context
    from wiring import install

    db = _database(settings)
    set_context(settings, db)
    install(settings)
    return db


# --- demo ----------------------------------------------------------------------------------


def _load_demo(db: Database, settings: Settings) -> None:
    from cli.demo import CREATOR_EMAIL, CREATOR_PASSWORD, LEARNER_EMAIL, LEARNER_PASSWORD, ensure_demo
    from cli.demo_mail import ensure_demo_mail
    from cli.demo_shop import BUYER_EMAIL, BUYER_PASSWORD, ensure_demo_shop

    path = settings.demo_course_path
    if not path.is_dir():
        console.print(f"[yellow]demo course folder {path} not found; loading the short course shipped with Academy")
    with _progress() as bar:
        task = bar.add_task("importing demo course", total=None)
        result = ensure_demo(db, path, progress=lambda done, total: bar.update(task, completed=done, total=total))
        bar.update(task, visible=result.created_course)
    shop = ensure_demo_shop(db, settings, result.store.id, result.store.owner_id, result.course.id)
    people = [(LEARNER_EMAIL, "Demo Learner")] + ([(BUYER_EMAIL, "Demo Buyer")] if shop else [])
    ensure_demo_mail(db, settings, result.store.id, result.store.owner_id, people)
    base = settings.public_base_url
    sells = (
        f"  buyer       {BUYER_EMAIL} / {BUYER_PASSWORD}  (holds nothing yet)\n"
        f"  shop        {base}/s/{result.store.slug}  (test card 4242 4242 4242 4242)\n"
        f"  mailbox     {base}/dev/mailbox  (a welcome broadcast, then receipts; sign in first)\n"
        if shop
        else ""
    )
    console.print(
        f"\n[bold green]Demo ready[/] — store [bold]{result.store.slug}[/], course "
        f"[bold]{result.course.title}[/] ({result.lessons} lessons)\n"
        f"  open        {base}\n"
        f"  creator     {CREATOR_EMAIL} / {CREATOR_PASSWORD}\n"
        f"  learner     {LEARNER_EMAIL} / {LEARNER_PASSWORD}\n"
        f"{sells}"
        f"  API key     {result.api_key}\n"
        "              (creator scopes; a new key on each start revokes the previous one)\n"
        f"  try         curl -H 'Authorization: Bearer {result.api_key}' {base}/v1/courses\n",
        soft_wrap=True,
    )


@app.command()
def demo() -> None:
    """Create the demo store, users and course if missing (safe to run again)."""
    settings = _settings()
    _load_demo(_database(settings), settings)


# --- db ------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = _settings()
    migrate.upgrade(settings.resolved_database_url, revision)
    console.print(f"database at revision {migrate.current_revision(settings.resolved_database_url)}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    settings = _settings()
    migrate.downgrade(settings.resolved_database_url, revision)
    console.print(f"database at revision {migrate.current_revision(settings.resolved_database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one."""
    settings = _settings()
    console.print(f"current {migrate.current_revision(settings.resolved_database_url)}, head {migrate.head_revision()}")


# --- users, stores, keys -------------------------------------------------------------------


@users_app.command("create")
def users_create(
    email: str,
    name: Annotated[str, typer.Option()] = "",
    password: Annotated[str | None, typer.Option(help="Prompted for when omitted.")] = None,
    admin: Annotated[bool, typer.Option(help="Make a platform admin.")] = False,
    store: Annotated[str | None, typer.Option(help="Also add to this store.")] = None,
    role: Annotated[str, typer.Option(help="Role in --store: staff or learner.")] = "learner",
) -> None:
    """Create a user account."""
    if password is None:
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if role not in ("staff", "learner"):
        raise AppError("--role must be staff or learner")
    db = _database(_settings())
    with db.transaction() as session:
        user = identity.create_user(session, email, password, name, is_platform_admin=admin)
        if store:
            target = identity.get_store_by_slug(session, store)
            if target is None:
                raise AppError(f"no store '{store}'")
            member_role: Literal["staff", "learner"] = "staff" if role == "staff" else "learner"
            identity.add_member(session, Principal.system(target.id, target.owner_id), user.email, member_role)
        console.print(f"created user {user.id} <{user.email}>")


@stores_app.command("create")
def stores_create(slug: str, owner: Annotated[str, typer.Option(help="Owner's email.")], name: str = "") -> None:
    """Open a store owned by an existing user."""
    db = _database(_settings())
    with db.transaction() as session:
        user = identity.get_user_by_email(session, owner)
        if user is None:
            raise AppError(f"no user '{owner}' (create it with: academy users create {owner})")
        created = identity.create_store(session, user, slug, name or slug)
        console.print(f"created store {created.id} '{created.slug}' owned by {user.email}")


@keys_app.command("create")
def keys_create(
    store: Annotated[str, typer.Option(help="Store slug.")],
    name: Annotated[str, typer.Option()] = "cli",
    scope: Annotated[list[str] | None, typer.Option(help="Repeat for each scope; default all.")] = None,
    expires_in_days: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Create an API key for a store, acting as its owner. The key is printed once."""
    db = _database(_settings())
    owner = _owner(db, store)
    with db.transaction() as session:
        created = identity.create_api_key(session, owner, name, scope, expires_in_days)
        console.print(f"key {created.key.id} scopes {', '.join(created.key.scopes)}")
        console.print(created.token, soft_wrap=True)


# --- courses -------------------------------------------------------------------------------


@courses_app.command("import")
def courses_import(
    path: Path,
    store: Annotated[str, typer.Option(help="Store slug.")],
    slug: Annotated[str | None, typer.Option(help="Course slug (default from the folder).")] = None,
    title: Annotated[str | None, typer.Option()] = None,
    publish: Annotated[bool, typer.Option(help="Publish the course.")] = False,
    preview: Annotated[int, typer.Option(min=0, help="Make the first N lessons free previews.")] = 0,
) -> None:
    """Import a folder of markdown, or a lessons.jsonl, as a new course."""
    from courses.importer import import_course, read_source

    source = read_source(path)
    db = _database(_settings())
    owner = _owner(db, store)
    with _progress() as bar, db.transaction() as session:
        task = bar.add_task(f"importing {source.title}", total=len(source.lessons))
        course = import_course(
            session,
            owner,
            source,
            slug=slug,
            title=title,
            publish=publish,
            preview_lessons=preview,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    state = "published" if publish else "draft"
    console.print(
        f"imported course {course.id} '{course.slug}' ({state}): "
        f"{len(source.modules)} modules, {len(source.lessons)} lessons"
    )


# --- retrieval -----------------------------------------------------------------------------


def _course_for(db: Database, store: str, course: str) -> tuple[Principal, str]:
    from courses import catalog

    owner = _owner(db, store)
    with db.transaction() as session:
        return owner, catalog.course_by_slug(session, owner, course).id


def _open_runtime(settings: Settings):  # type: ignore[no-untyped-def]
    from rag.index import IndexLocked
    from rag.runtime import open_runtime

    try:
        return open_runtime(settings)
    except IndexLocked as exc:
        raise AppError(str(exc)) from exc


@app.command()
def ingest(
    path: Annotated[Path | None, typer.Argument(help="A file or folder to attach; omit to re-index.")] = None,
    store: Annotated[str, typer.Option(help="Store slug.")] = "demo",
    course: Annotated[str, typer.Option(help="Course slug.")] = ...,  # type: ignore[assignment]
    lesson: Annotated[str | None, typer.Option(help="Attach to this lesson (default: a new lesson per file).")] = None,
) -> None:
    """Attach files (md, html, pdf, txt, vtt, srt) to a course and bring its search index up to date."""
    from core.storage.factory import make_storage_provider
    from ingestion import jobs
    from ingestion.files import attach_files

    settings = _settings()
    db = _database(settings)
    owner, course_id = _course_for(db, store, course)
    if path is not None:
        if not path.exists():
            raise AppError(f"{path}: no such file or folder")
        batch = attach_files(db, owner, course_id, path, lesson, settings.max_upload_bytes)
        for name in batch.attached:
            console.print(f"[green]attached[/]  {name}", soft_wrap=True)
        for name in batch.unchanged:
            console.print(f"[dim]unchanged[/] {name}", soft_wrap=True)
        for name, why in batch.failed:
            err.print(f"[red]skipped[/]   {name}: {why}", soft_wrap=True)
    with db.transaction() as session:
        job_id = jobs.request_index(session, owner.require_store(), course_id, reason="cli").id
    runtime = _open_runtime(settings)
    try:
        with _progress() as bar:
            task = bar.add_task("indexing", total=None)
            job = jobs.run_job(
                db,
                runtime,
                job_id,
                lambda done, total: bar.update(task, completed=done, total=total),
                make_storage_provider(settings),
            )
    finally:
        runtime.close()
    assert job is not None
    if job.status != "completed":
        raise AppError(f"indexing failed: {job.error}")
    console.print(
        f"indexed {job.total} source(s): {job.chunks} chunks, {job.embedded} embedded, "
        f"{job.reused} unchanged, {job.deleted} removed"
    )
    if path is not None and batch.failed:
        sys.exit(1)


@app.command()
def search(
    query: str,
    store: Annotated[str, typer.Option(help="Store slug.")] = "demo",
    course: Annotated[str | None, typer.Option(help="Limit to one course (slug).")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Search as this user (their access).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=20)] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or sparse")] = "hybrid",
) -> None:
    """Search course content the way the assistant does, with citations."""
    from rag.retriever import Retriever

    if mode not in ("hybrid", "dense", "sparse"):
        raise AppError("--mode must be hybrid, dense or sparse")
    settings = _settings()
    db = _database(settings)
    principal = _owner(db, store)
    course_id = _course_for(db, store, course)[1] if course else None
    with db.transaction() as session:
        if as_user:
            user = identity.get_user_by_email(session, as_user)
            if user is None:
                raise AppError(f"no user '{as_user}'")
            principal = identity.principal_for_user(session, user, principal.store_id)
    runtime = _open_runtime(settings)
    try:
        with db.transaction() as session:
            passages = Retriever(runtime).search(session, principal, query, course_id, limit, mode)  # type: ignore[arg-type]
    finally:
        runtime.close()
    if not passages:
        console.print("no passages found")
    for number, passage in enumerate(passages, start=1):
        c = passage.citation
        console.print(f"[bold][{number}][/] {c.lesson_title} > {c.heading}  [dim]{c.url}  ({passage.score:.3f})[/]")
        console.print("    " + passage.text[:300].replace("\n", " ") + ("…" if len(passage.text) > 300 else ""))


@app.command()
def chat(
    course: Annotated[str | None, typer.Option(help="Course slug (for an agent that works on a course).")] = None,
    store: Annotated[str, typer.Option(help="Store slug.")] = "demo",
    as_user: Annotated[str, typer.Option("--as", help="Chat as this user.")] = "learner@demo.academy",
    message: Annotated[str | None, typer.Option("--message", "-m", help="Ask once and exit.")] = None,
    agent: Annotated[str | None, typer.Option(help="Agent name (default: the first offered to the user).")] = None,
) -> None:
    """Chat with an agent (the course assistant by default for a learner); answers stream as they
    are written, with citations."""
    from agents.event_models import Citation, Error, MessageDelta, ToolCall, parse
    from agents.events import Event
    from agents.service import build_run_manager
    from courses import catalog

    settings = _settings()
    db = _database(settings)
    with db.transaction() as session:
        user = identity.get_user_by_email(session, as_user)
        target = identity.get_store_by_slug(session, store)
        if user is None or target is None:
            raise AppError(f"no user '{as_user}'" if user is None else f"no store '{store}'")
        principal = identity.principal_for_user(session, user, target.id)
        course_id = catalog.course_by_slug(session, principal, course).id if course else None
    runtime = _open_runtime(settings)
    manager = build_run_manager(settings, db, lambda: runtime)
    chosen = manager.agents.get(agent) if agent else manager.agents.default_for(principal)
    if chosen.wants_course and course_id is None:
        raise AppError(f"the {chosen.title.lower()} works on a course: name one with --course")
    thread = manager.create_thread(principal, chosen.name, course_id, title=f"cli chat on {course or chosen.name}")

    shown: set[tuple[str, int]] = set()

    def show(event: Event) -> None:
        if (event.run_id, event.seq) in shown:  # a replayed event may also arrive live
            return
        shown.add((event.run_id, event.seq))
        typed = parse(event.type, event.data)
        if isinstance(typed, MessageDelta):
            console.print(typed.text, end="", soft_wrap=True, markup=False, highlight=False)
        elif isinstance(typed, ToolCall):
            console.print(f"[dim]… {typed.name}({json.dumps(typed.arguments)})[/]")
        elif isinstance(typed, Citation):
            where = f"{typed.lesson_title} > {typed.heading}"
            console.print(f"  [{typed.n}] {where}  [dim]{typed.url}[/]", soft_wrap=True)
        elif isinstance(typed, Error):
            err.print(f"[red]{typed.message}[/]")

    try:
        while True:
            question = message if message is not None else console.input("[bold]you>[/] ").strip()
            if not question or question in ("exit", "quit"):
                break
            console.print("[bold]assistant>[/] [dim](the local model is thinking…)[/]")
            run = manager.start(principal, thread.id, question)
            unsubscribe = manager.events.subscribe(run.id, show)
            for event in manager.events.replay(run.id):
                show(event)
            manager.wait(run.id, timeout=settings.llm_timeout_seconds * 4)
            unsubscribe()
            console.print()
            if message is not None:
                break
    except (EOFError, KeyboardInterrupt):
        console.print()
    finally:
        manager.shutdown()
        runtime.close()


# --- evals ---------------------------------------------------------------------------------


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[Path, typer.Option(help="A course folder (lessons.jsonl + qa.jsonl) or a BEIR folder.")],
    out: Annotated[Path, typer.Option(help="Where the JSON and markdown reports go.")] = Path("evals/reports"),
    chunk_tokens: Annotated[int, typer.Option(min=32, max=256)] = 200,
    rrf_k: Annotated[int, typer.Option(min=1)] = 10,
    dense_weight: float = 1.0,
    sparse_weight: float = 1.0,
) -> None:
    """Index a dataset afresh and compare dense, sparse and hybrid retrieval on its questions."""
    from evals.datasets import load_retrieval_set
    from evals.retrieval import markdown_report, run_retrieval_eval
    from rag.index import FusionParams
    from rag.runtime import make_embedder

    data = load_retrieval_set(dataset)
    settings = _settings()
    fusion = FusionParams(rrf_k=rrf_k, dense_weight=dense_weight, sparse_weight=sparse_weight)
    with _progress() as bar:
        progress = _stage_progress(bar)
        report = run_retrieval_eval(data, make_embedder(settings), out, chunk_tokens, fusion, progress)
    console.print(markdown_report(report), soft_wrap=True)
    console.print(f"reports written to {out}/retrieval-{data.name}.json and .md")


@eval_app.command("assistant")
def eval_assistant(
    dataset: Annotated[Path, typer.Option(help="A course folder with lessons.jsonl and qa.jsonl.")],
    out: Annotated[Path, typer.Option(help="Where the JSON and markdown reports go.")] = Path("evals/reports"),
    every: Annotated[int, typer.Option(min=1, help="Use every Nth question (the local model takes ~20 s each).")] = 1,
) -> None:
    """Quiz accuracy with and without retrieval, citation validity, and refusals, on the configured model."""
    from agents.llm import make_chat_model
    from evals.assistant import markdown_report, run_assistant_eval
    from rag.runtime import make_embedder

    settings = _settings()
    chat = make_chat_model(settings, temperature=0.0, max_tokens=96).chat
    with _progress() as bar:
        progress = _stage_progress(bar)
        report = run_assistant_eval(dataset, chat, make_embedder(settings), out, every, progress)
    console.print(markdown_report(report), soft_wrap=True)


@eval_app.command("claims")
def eval_claims(
    dataset: Annotated[Path, typer.Option(help="The course folder the labelled sentences are about.")] = Path(
        "datasets/open-music-theory"
    ),
    out: Annotated[Path, typer.Option(help="Where the JSON and markdown reports go.")] = Path("evals/reports"),
) -> None:
    """The claim check's precision and recall on labelled marketing sentences (the tuning set and a held-out one)."""
    from evals.claims import markdown_report, run_claims_eval
    from rag.runtime import make_embedder

    embedder = make_embedder(_settings())
    for labels in (dataset.name, f"{dataset.name}-heldout"):
        report = run_claims_eval(dataset, embedder, out, labels)
        console.print(markdown_report(report), soft_wrap=True)
        console.print(f"reports written to {out}/claims-{labels}.json and .md")


def run() -> None:
    """Entry point: domain and configuration errors become one clear line and exit code 2."""
    try:
        app()
    except AppError as exc:
        err.print(f"[red]error:[/] {exc.detail}", soft_wrap=True)
        sys.exit(2)
    except (ConfigurationError, ValidationError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        err.print(f"[red]configuration error:[/] {message.removeprefix('Value error, ')}", soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    run()
