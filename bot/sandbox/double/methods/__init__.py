"""Web API method handlers; importing this package registers them all."""

from bot.sandbox.double.methods import (  # noqa: F401
    apps,
    auth_team,
    chat,
    conversations,
    files,
    pins,
    users,
    views,
)
