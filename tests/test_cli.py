"""The command line: clear one-line errors, migrations, and the schema check before serving."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.migrate import schema_state
from bot.runner import StartupError, prepare_database
from tests.conftest import ROOT


def run_bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
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


async def test_the_embedded_sqlite_default_migrates_itself(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'new.db'}")
    db = await prepare_database(settings)
    try:
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
        assert {"programme", "participant", "alembic_version"} <= set(tables)
    finally:
        await db.dispose()


async def test_postgresql_behind_the_code_refuses_to_start(database_urls: dict[str, str]) -> None:
    if "postgresql" not in database_urls:
        pytest.skip("PostgreSQL is not among TEST_DATABASES")
    url = database_urls["postgresql"]
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
