"""GET /readyz as a load balancer sees it: ready when the database answers and its schema is
the one this code needs; otherwise 503 and why. GET /healthz stays plain liveness."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.migrate import schema_state
from bot.sandbox import Sandbox
from tests.conftest import build_test_workspace


async def get(box: Sandbox, path: str) -> tuple[int, dict]:
    url = box.app_url.replace("/slack/events", path)
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


async def test_ready_at_the_head_revision(sandbox: Sandbox) -> None:
    assert await get(sandbox, "/readyz") == (200, {"ready": True})


async def test_not_ready_while_the_schema_is_behind_the_code(sandbox: Sandbox) -> None:
    assert sandbox.db is not None
    head = (await schema_state(sandbox.db)).head
    async with sandbox.db.engine.begin() as conn:
        await conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
    try:
        status, body = await get(sandbox, "/readyz")
        assert status == 503
        assert body["ready"] is False
        assert f"schema at older, this version needs {head}" in body["reason"]
        assert "python -m bot migrate" in body["reason"]
        assert await get(sandbox, "/healthz") == (200, {"ok": True})  # alive all the same
    finally:
        async with sandbox.db.engine.begin() as conn:
            await conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head}'")
    assert (await get(sandbox, "/readyz"))[0] == 200


async def test_not_ready_on_a_database_never_migrated(sandbox: Sandbox) -> None:
    assert sandbox.db is not None
    async with sandbox.db.engine.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE alembic_version RENAME TO alembic_version_away")
    try:
        status, body = await get(sandbox, "/readyz")
    finally:
        async with sandbox.db.engine.begin() as conn:
            await conn.exec_driver_sql("ALTER TABLE alembic_version_away RENAME TO alembic_version")
    assert status == 503
    assert body["reason"].startswith("database schema at none")


async def test_not_ready_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    unreachable = f"sqlite+aiosqlite:///{tmp_path / 'no-such-directory' / 'bot.db'}"
    box = await Sandbox(
        build_test_workspace(), database_url=unreachable, contracts_dir=None
    ).start()
    try:
        status, body = await get(box, "/readyz")
        assert (status, body["reason"]) == (503, "database unreachable (OperationalError)")
        assert await get(box, "/healthz") == (200, {"ok": True})
    finally:
        await box.stop()
