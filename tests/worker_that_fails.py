"""A worker process entry (bot/slack/handoff.py) that fails before it can take work, as one
whose settings or database are broken would."""

from __future__ import annotations

import socket
from typing import Any


def main(sock: socket.socket, settings: Any) -> None:
    raise SystemExit(3)
