"""The command line: clear one-line errors, migrations, and the schema check before serving."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.migrate import schema_state
from bot.runner import StartupError, prepare_database
from tests.conftest import BACKENDS, ROOT, Databases, _create_pg_database, _drop_pg_database

REPLICAS = 5  # enough that, without the lock, two of them always collide


def bot_env(env: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return {**clean, "PYTHONPATH": str(ROOT), **env}


def run_bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=bot_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("command", "env", "named"),
    [
        ("serve", {}, "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        ("serve", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ("run", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
    ],
)
def test_a_missing_token_is_one_clear_line(
    command: str, env: dict[str, str], named: str, tmp_path: Path
) -> None:
    result = run_bot(command, env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0] and "Traceback" not in result.stderr


def test_migrate_builds_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run_bot("migrate", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Database is at revision" in result.stdout


@pytest.mark.parametrize("backend", BACKENDS)
async def test_replicas_starting_together_migrate_once(backend: str, tmp_path: Path) -> None:
    """Every replica runs `migrate` at start: the first builds the schema, the rest wait for
    it and find nothing to do."""
    pg_name = f"mentoring_migrate_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = await _create_pg_database(pg_name)
    try:
        replicas = [
            await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "bot", "migrate"),
                env=bot_env({"DATABASE_URL": url}),
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(REPLICAS)
        ]
        results = await asyncio.wait_for(
            asyncio.gather(*(replica.communicate() for replica in replicas)), timeout=120
        )
        codes = [replica.returncode for replica in replicas]
        failures = [err.decode() for code, (_, err) in zip(codes, results, strict=True) if code]
        assert failures == [], failures[0]
        db = Database(Settings(_env_file=None, database_url=url).database_url)
        try:
            state = await schema_state(db)
        finally:
            await db.dispose()
        assert state.up_to_date
        for out, _ in results:
            assert f"Database is at revision {state.head}." in out.decode()
    finally:
        if backend == "postgresql":
            await _drop_pg_database(pg_name)


async def test_the_embedded_sqlite_default_migrates_itself(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'new.db'}")
    db = await prepare_database(settings)
    try:
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
        assert {"programme", "participant", "alembic_version"} <= set(tables)
    finally:
        await db.dispose()


async def test_postgresql_behind_the_code_refuses_to_start(databases: Databases) -> None:
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is not among TEST_DATABASES")
    url = await databases.url("postgresql")
    db = Database(url)
    head = (await schema_state(db)).head
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
    try:
        with pytest.raises(StartupError, match="python -m bot migrate"):
            await prepare_database(Settings(_env_file=None, database_url=url))
    finally:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head}'")
        await db.dispose()
