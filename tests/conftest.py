"""Shared fixtures: a migrated database per backend (SQLite and PostgreSQL), Slack contracts."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import Base, Database
from bot.migrate import upgrade_head

if TYPE_CHECKING:
    from bot.sandbox import Sandbox
    from bot.sandbox.double import Workspace

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = [b.strip() for b in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",")]
PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def contracts_path() -> Path:
    configured = os.environ.get("SLACK_CONTRACTS_DIR")
    return Path(configured) if configured else ROOT.parent / "shared" / "slack-contracts"


@pytest.fixture(scope="session")
def contracts_dir() -> Path:
    path = contracts_path()
    if not (path / "methods").is_dir():
        pytest.skip(f"Slack contracts not found at {path}; set SLACK_CONTRACTS_DIR")
    return path


async def _create_pg_database(name: str) -> str:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_pg_database(name: str) -> None:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await upgrade_head(db)
    finally:
        await db.dispose()


class Databases:
    """One database per backend for the whole run, built by `alembic upgrade head` when a test
    first asks for it: a test process that runs only one backend's cases builds only that one.

    Tests share one engine per backend too (`database`), as one app's requests do: SQLAlchemy
    keeps the statements it compiled per engine, and compiling each again in every test took
    a sixth of the suite's time. Each test still gets its own connections (see `db`)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._urls: dict[str, str] = {}
        self._engines: dict[str, Database] = {}
        self._pg_name: str | None = None

    async def database(self, backend: str) -> Database:
        if backend not in self._engines:
            self._engines[backend] = Database(await self.url(backend))
        return self._engines[backend]

    async def url(self, backend: str) -> str:
        if backend not in self._urls:
            url = await self._create(backend)
            await _migrate(url)
            self._urls[backend] = url
        return self._urls[backend]

    async def _create(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{self._tmp.mktemp('sqlite') / 'test.db'}"
        self._pg_name = f"mentoring_test_{uuid.uuid4().hex[:8]}"
        try:
            return await _create_pg_database(self._pg_name)
        except OSError as exc:
            pytest.exit(
                f"PostgreSQL is unreachable at {PG_ADMIN_URL} ({exc}). Start it, or run with "
                "TEST_DATABASES=sqlite to test SQLite alone.",
                returncode=3,
            )

    def drop(self) -> None:
        if self._pg_name:
            asyncio.run(_drop_pg_database(self._pg_name))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    built = Databases(tmp_path_factory)
    yield built
    built.drop()


# Modules whose tests share a module-scoped fixture (the demo's play, the parsed app): xdist
# runs each of them in one process, so the fixture is built once per run, not once in each.
TOGETHER = frozenset({"tests/sandbox/demo/test_demo.py", "tests/views/test_mrkdwn_construction.py"})


def xdist_scope(nodeid: str) -> str:
    """The unit a test is sent to a test process in: its module, for a TOGETHER module's."""
    module = nodeid.split("::", 1)[0]
    return module if module in TOGETHER else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Tests go one at a time to whichever process is free, but a TOGETHER module's go as one
    unit. (xdist's own `xdist_group` works by rewriting node ids, which pytest 9.2 no longer
    lets a plugin do, so its groups silently fall apart.) Grouping every backend's cases into
    one process was measured too: no less CPU, and no faster."""
    from xdist.scheduler import LoadScopeScheduling

    class TogetherWhereShared(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return TogetherWhereShared(config, log)


async def empty(database: Database) -> None:
    """Every table emptied, ids starting again from 1."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    deletes = " ".join(f'DELETE FROM "{table}";' for table in tables)
    async with database.engine.begin() as conn:
        if database.is_sqlite:
            # One script is one trip to the connection's thread, not one per table.
            raw = await conn.get_raw_connection()
            await raw.driver_connection.executescript(f"SAVEPOINT empty; {deletes} RELEASE empty;")
        else:
            # Deleting a few rows is far quicker than TRUNCATE, which rebuilds every table's
            # files; one block makes it one round trip.
            await conn.execute(text(f"DO $$ BEGIN {deletes} END $$"))
            await conn.execute(text(RESTART_SEQUENCES))


RESTART_SEQUENCES = "SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'"


@contextmanager
def watching(db: Database, hook: str, record: Callable[..., None]) -> Iterator[None]:
    """`record` hears SQLAlchemy's `hook` (before_cursor_execute, ...) for every statement
    `db` runs, on each of its engines, while the block runs."""
    for engine in db.sync_engines:
        event.listen(engine, hook, record)
    try:
        yield
    finally:
        for engine in db.sync_engines:
            event.remove(engine, hook, record)


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, databases: Databases) -> AsyncIterator[Database]:
    """A clean, migrated database on each backend in turn."""
    database = await databases.database(request.param)
    await empty(database)
    yield database
    # Its connections belong to this test's event loop; the engine, with the statements it
    # compiled, serves the next test.
    await database.dispose()


# --- The app against the Slack double -------------------------------------------------------

TEAM = "T0TEST"
LEAD = "U0LEAD"  # a lead through LEAD_USER_IDS
ADMIN = "U0ADMIN"  # a lead because Slack says they are a workspace admin
OWNER = "U0OWNER"
MENTOR = "U0MENTOR"
MENTOR2 = "U0MENTOR2"
EXEC = "U0EXEC"
OUTSIDER = "U0OUT"
GENERAL = "C0GENERAL"
PRIVATE = "C0PRIVATE"


def manifest_bot_scopes() -> set[str]:
    import json

    manifest = json.loads((ROOT / "manifests" / "socket-mode.json").read_text())
    return set(manifest["oauth_config"]["scopes"]["bot"])


def build_test_workspace():
    from bot.sandbox.double import Channel, User, Workspace

    workspace = Workspace(
        team_id=TEAM,
        team_name="Test Co",
        domain="testco",
        bot_user_id="U0BOT",
        bot_id="B0BOT",
        app_id="A0APP",
        bot_token="xoxb-test-token",
        bot_scopes=manifest_bot_scopes(),  # the app gets exactly what its manifest asks for
    )
    workspace.add_app_token("xapp-1-A0APP-test")  # for Socket Mode
    for user in (
        User(id=LEAD, name="lee", real_name="Lee Lead", tz="Europe/London"),
        User(id=ADMIN, name="ann", real_name="Ann Admin", tz="Europe/London", is_admin=True),
        User(id=OWNER, name="olu", real_name="Olu Owner", tz="Europe/London", is_owner=True),
        User(id=MENTOR, name="mia", real_name="Mia Mentor", tz="Europe/Berlin"),
        User(id=MENTOR2, name="max", real_name="Max Mentor", tz="Asia/Singapore"),
        User(id=EXEC, name="eve", real_name="Eve Exec", tz="America/New_York"),
        User(id=OUTSIDER, name="oz", real_name="Oz Outsider", tz="UTC"),
    ):
        workspace.add_user(user)
    everyone = set(workspace.users)
    workspace.add_channel(Channel(id=GENERAL, name="general", is_general=True, members=everyone))
    workspace.add_channel(Channel(id=PRIVATE, name="secret", is_private=True, members={LEAD}))
    return workspace


@pytest.fixture
def clock():
    from datetime import UTC, datetime

    from bot.clock import FakeClock

    return FakeClock(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))


def sandbox_on(
    db: Database,
    clock,
    *,
    workspace: Workspace | None = None,
    leads: frozenset[str] = frozenset({LEAD}),
    **options: Any,
) -> Sandbox:
    """The app on this database and clock, wired to a double of the test workspace (or
    `workspace`); `options` go to Sandbox (socket_mode=True, oauth=True)."""
    from bot.sandbox import Sandbox

    # With Slack's contracts the double also checks scopes and every documented argument;
    # without them it still checks everything its own handlers need.
    contracts = contracts_path()
    return Sandbox(
        workspace or build_test_workspace(),
        database_url=db.url,
        db=db,
        lead_user_ids=leads,
        clock=clock,
        contracts_dir=contracts if (contracts / "methods").is_dir() else None,
        **options,
    )


@pytest.fixture
async def sandbox(db: Database, clock):
    box = await sandbox_on(db, clock).start()
    yield box
    await box.stop()
