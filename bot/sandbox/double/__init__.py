"""A stand-in for Slack in tests, benchmarks and the demo: the Web API on loopback, with
Slack's checks (auth, scopes, arguments, Block Kit, rate limits, trigger ids)."""

from bot.sandbox.double.recording import RecordedCall
from bot.sandbox.double.server import USE_DEFAULT_CONTRACTS, ContractsDir, SlackDouble
from bot.sandbox.double.workspace import Channel, User, Workspace

__all__ = [
    "USE_DEFAULT_CONTRACTS",
    "Channel",
    "ContractsDir",
    "RecordedCall",
    "SlackDouble",
    "User",
    "Workspace",
]
