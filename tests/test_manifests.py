"""The manifests are valid for Slack, match the listeners, and grant exactly the scopes used."""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

import jsonschema
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.ids import Command, Shortcut
from bot.listeners.admin import ADMIN_WORDS
from bot.listeners.participant import PARTICIPANT_WORDS
from bot.sandbox import Sandbox
from bot.slack.installations import REDIRECT_PATH
from tests.conftest import LEAD, ROOT

MANIFESTS = sorted((ROOT / "manifests").glob("*.json"))
# Scopes no Web API method needs but a feature does, each with its reason.
FEATURE_SCOPES = {
    "commands": "slash commands and the global shortcut",
    "chat:write.public": "announcing enrolment in a public channel the bot has not joined",
}
# Code that talks to Slack on the app's behalf: bot/sandbox/ only pretends to be Slack or plays it.
APP_SOURCES = [p for p in (ROOT / "bot").rglob("*.py") if ROOT / "bot" / "sandbox" not in p.parents]


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def web_client_methods() -> dict[str, set[str]]:
    """AsyncWebClient python method name -> the Slack API methods it calls, read from slack_sdk
    itself (helpers such as files_upload_v2 call other client methods)."""
    direct: dict[str, str] = {}
    sources = {}
    for name, function in inspect.getmembers(AsyncWebClient, inspect.iscoroutinefunction):
        sources[name] = inspect.getsource(function)
        match = re.search(r'api_call\(\s*"([\w.]+)"', sources[name])
        if match:
            direct[name] = match.group(1)
    mapping = {name: {method} for name, method in direct.items()}
    for name, source in sources.items():
        if name not in direct:
            used = {direct[c] for c in re.findall(r"self\.(\w+)\(", source) if c in direct}
            if used:
                mapping[name] = used
    return mapping


def called_api_methods() -> set[str]:
    mapping = web_client_methods()
    called = set()
    for path in APP_SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in mapping:
                called |= mapping[node.attr]
    return called


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_is_valid_against_slacks_schema(path: Path, contracts_dir: Path) -> None:
    schema = load(contracts_dir / "manifest-schema" / "manifest.schema.1.0.0.json")
    jsonschema.Draft7Validator(schema).validate(load(path))


def test_both_modes_declare_the_same_features() -> None:
    socket, http = (load(ROOT / "manifests" / n) for n in ("socket-mode.json", "http.json"))
    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert http["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert all(c["url"].endswith("/slack/events") for c in http["features"]["slash_commands"])
    for key in ("shortcuts",):
        assert socket["features"][key] == http["features"][key]
    assert socket["oauth_config"]["scopes"] == http["oauth_config"]["scopes"]
    # Installing in other workspaces comes back to the route the app serves in OAuth mode.
    assert [url.split("example.com")[1] for url in http["oauth_config"]["redirect_urls"]] == [
        REDIRECT_PATH
    ]
    assert (
        socket["settings"]["event_subscriptions"]["bot_events"]
        == http["settings"]["event_subscriptions"]["bot_events"]
    )
    assert [c["command"] for c in socket["features"]["slash_commands"]] == [
        c["command"] for c in http["features"]["slash_commands"]
    ]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_usage_hint_lists_every_word_its_command_answers(
    path: Path, contracts_dir: Path
) -> None:
    """Slack shows the hint as people type the command: every word the listener answers, in
    the help's order (ending with help), within the schema's length."""
    schema = load(contracts_dir / "manifest-schema" / "manifest.schema.1.0.0.json")
    commands = schema["definitions"]["app-manifests.v1.features.slash_commands"]["items"]
    longest = commands["properties"]["usage_hint"]["maxLength"]
    answered = {Command.PARTICIPANT: list(PARTICIPANT_WORDS), Command.ADMIN: list(ADMIN_WORDS)}
    declared = {c["command"]: c["usage_hint"] for c in load(path)["features"]["slash_commands"]}
    assert declared.keys() == {c.value for c in answered}
    for command, words in answered.items():
        assert words[-1] == "help"
        assert declared[command] == " | ".join(words), command
        assert len(declared[command]) <= longest


def test_every_command_and_shortcut_in_code_is_declared() -> None:
    manifest = load(ROOT / "manifests" / "socket-mode.json")
    declared_commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    declared_shortcuts = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert {c.value for c in Command} == declared_commands
    assert {s.value for s in Shortcut} == declared_shortcuts


async def test_everything_declared_has_a_listener(sandbox: Sandbox) -> None:
    """Bolt answers 404 to a request no listener takes; nothing declared may get that."""
    manifest = load(ROOT / "manifests" / "socket-mode.json")
    for command in manifest["features"]["slash_commands"]:
        response = await sandbox.command(LEAD, command["command"], "help")
        assert response.status == 200, command
    for shortcut in manifest["features"]["shortcuts"]:
        response = await sandbox.shortcut(LEAD, shortcut["callback_id"])
        assert response.status == 200, shortcut
    for event_type in manifest["settings"]["event_subscriptions"]["bot_events"]:
        response = await sandbox.event({"type": event_type, "user": LEAD, "tab": "home"})
        assert response.status == 200, event_type


def test_called_methods_are_found() -> None:
    # Guards the scan itself: these calls certainly exist in the app.
    assert {"views.open", "views.publish", "chat.postMessage", "users.info"} <= called_api_methods()


def test_every_called_method_is_covered_and_every_scope_is_needed(contracts_dir: Path) -> None:
    scopes = set(load(ROOT / "manifests" / "socket-mode.json")["oauth_config"]["scopes"]["bot"])
    needed: set[str] = set()
    for method in sorted(called_api_methods()):
        contract = load(contracts_dir / "methods" / f"{method}.json")
        options = contract.get("scope", {}).get("bot", [])
        if not options:
            continue
        covered = scopes.intersection(options)
        assert covered, f"{method} needs one of {options}; the manifest grants {sorted(scopes)}"
        needed |= covered
    unneeded = scopes - needed - FEATURE_SCOPES.keys()
    assert not unneeded, f"scopes no code needs: {sorted(unneeded)}"
