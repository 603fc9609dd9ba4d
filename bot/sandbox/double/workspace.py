"""The workspace a double pretends to be: team, users, channels and the tokens it accepts."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field


@dataclass
class User:
    id: str
    name: str
    real_name: str = ""
    tz: str = "UTC"
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    display_name: str = ""
    email: str | None = None
    is_restricted: bool = False
    bot_id: str | None = None
    updated: int = 1_700_000_000  # when the account last changed (epoch seconds)


@dataclass
class Channel:
    id: str
    name: str = ""
    is_private: bool = False
    members: set[str] = field(default_factory=set)
    is_archived: bool = False
    is_general: bool = False
    is_im: bool = False
    is_mpim: bool = False
    # The other party of an IM.
    user: str | None = None
    topic: str = ""
    purpose: str = ""
    creator: str = ""
    created: int = 1_700_000_000

    @property
    def is_conversation_with_people(self) -> bool:
        return self.is_im or self.is_mpim


@dataclass(frozen=True)
class TokenGrant:
    """What a token may do: its scopes, and whose token it is. An app-level token (`xapp-`)
    belongs to the app rather than to a user or bot, and opens Socket Mode connections only."""

    token: str
    scopes: frozenset[str]
    user_id: str
    is_bot: bool
    is_app_level: bool = False
    org_wide: bool = False  # an Enterprise Grid org's token, good in all its workspaces


@dataclass
class Workspace:
    team_id: str
    team_name: str
    domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    bot_token: str
    bot_scopes: set[str] = field(default_factory=set)
    bot_name: str = "bot"
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    tokens: dict[str, TokenGrant] = field(default_factory=dict)
    revoked_tokens: set[str] = field(default_factory=set)
    # Rotating tokens: when each stops working, on the double's clock.
    token_expiry: dict[str, float] = field(default_factory=dict)
    # Enterprise Grid: the org this workspace belongs to, and whether the app is installed
    # org-wide (Slack then says so in every payload from any of the org's workspaces).
    enterprise_id: str | None = None
    enterprise_name: str = ""
    org_installed: bool = False

    def __post_init__(self) -> None:
        # The bot is a user of the workspace too: users.info and users.list show it.
        self.users.setdefault(
            self.bot_user_id,
            User(
                id=self.bot_user_id,
                name=self.bot_name,
                real_name=self.bot_name,
                is_bot=True,
                bot_id=self.bot_id,
            ),
        )

    @property
    def url(self) -> str:
        return f"https://{self.domain}.slack.com/"

    def add_user(self, user: User) -> User:
        try:
            zoneinfo.ZoneInfo(user.tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"user {user.id}: unknown time zone {user.tz!r}") from exc
        self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        return channel

    def add_token(
        self, token: str, scopes: set[str], *, user_id: str | None = None, org_wide: bool = False
    ) -> None:
        """Accept another token: a user token when `user_id` is given, else another bot token
        (`org_wide`: the org's, installed org-wide)."""
        if user_id is None:
            grant = TokenGrant(
                token, frozenset(scopes), self.bot_user_id, is_bot=True, org_wide=org_wide
            )
        else:
            grant = TokenGrant(token, frozenset(scopes), user_id, is_bot=False)
        self.tokens[token] = grant

    def add_app_token(
        self, token: str, scopes: frozenset[str] = frozenset({"connections:write"})
    ) -> None:
        """Accept an app-level token, by default with the scope Socket Mode needs."""
        self.tokens[token] = TokenGrant(token, scopes, "", is_bot=False, is_app_level=True)

    @property
    def app_token(self) -> str | None:
        """The first app-level token the workspace accepts, if any."""
        return next((t for t, grant in self.tokens.items() if grant.is_app_level), None)

    def expire_token(self, token: str, *, at: float) -> None:
        self.token_expiry[token] = at

    def revoke_token(self, token: str) -> None:
        self.revoked_tokens.add(token)

    def grant_for(self, token: str) -> TokenGrant | None:
        # The bot token is read fresh so tests may change `bot_scopes` at any time.
        if token == self.bot_token:
            return TokenGrant(token, frozenset(self.bot_scopes), self.bot_user_id, is_bot=True)
        return self.tokens.get(token)
