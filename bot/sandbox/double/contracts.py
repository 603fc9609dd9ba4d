"""Slack's published method reference, read at run time from a contracts directory.

The files are not part of this repository (see /work/shared/slack-contracts/README.md);
each method file is read at most once per book and kept. Without them the double runs on its
own checks and built-in rate tiers, and says so once in the log.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_VAR = "SLACK_CONTRACTS_DIR"
# bot/sandbox/double/contracts.py -> the repository root is three folders up from here.
REPO_ROOT = Path(__file__).resolve().parents[3]
SIBLING_DIR = REPO_ROOT.parent / "shared" / "slack-contracts"

_METHOD_NAME = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$")


def contracts_location() -> Path:
    """Where the contracts are expected, whether or not they are there (for messages)."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured) if configured else SIBLING_DIR


def default_contracts_dir() -> Path | None:
    location = contracts_location()
    return location if (location / "methods").is_dir() else None


@dataclass(frozen=True)
class MethodContract:
    name: str
    http_method: str
    json_input_supported: bool
    rate_limits: str | None
    bot_scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    required: tuple[str, ...]
    arg_descs: dict[str, str]
    errors: frozenset[str]

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> MethodContract:
        args = data.get("args") or {}
        # A few reference files spell "no scope" as the string "none".
        scope = data.get("scope")
        if not isinstance(scope, dict):
            scope = {}
        properties = args.get("properties") or {}
        return cls(
            name=name,
            http_method=data.get("http_method") or "POST",
            json_input_supported=data.get("json_input_supported") is True,
            rate_limits=data.get("rate_limits"),
            bot_scopes=tuple(scope.get("bot") or ()),
            user_scopes=tuple(scope.get("user") or ()),
            required=tuple(a for a in args.get("required") or () if a != "token"),
            arg_descs={k: (v or {}).get("desc") or "" for k, v in properties.items()},
            errors=frozenset(data.get("errors") or ()),
        )


class ContractBook:
    """Method contracts by name; an empty book when there is no contracts directory."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._contracts: dict[str, MethodContract | None] = {}
        self._tiers: dict[str, str] | None = None

    @property
    def available(self) -> bool:
        return self.directory is not None

    def get(self, method: str) -> MethodContract | None:
        if method in self._contracts:
            return self._contracts[method]
        contract = None
        if self.directory is not None and _METHOD_NAME.match(method):
            path = self.directory / "methods" / f"{method}.json"
            if path.is_file():
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    contract = MethodContract.from_json(method, data)
        self._contracts[method] = contract
        return contract

    def tier(self, method: str) -> str | None:
        """The tier as the reference spells it ("t3", or "Tier3" from rate_limit_tiers.json)."""
        contract = self.get(method)
        if contract is not None and contract.rate_limits:
            return contract.rate_limits
        return self._tier_table().get(method)

    def _tier_table(self) -> dict[str, str]:
        if self._tiers is None:
            self._tiers = {}
            if self.directory is not None:
                path = self.directory / "rate_limit_tiers.json"
                if path.is_file():
                    self._tiers = json.loads(path.read_text(encoding="utf-8"))
        return self._tiers
