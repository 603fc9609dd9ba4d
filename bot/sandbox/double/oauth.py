"""Installing an app by OAuth, as Slack does it: the approval page (approved at once for the
workspace the test names, or org-wide for the Enterprise Grid org it names) sends the browser
back to the app's redirect URL with a single-use code, and `oauth.v2.access` exchanges it for
a bot token of that workspace or org; with token rotation on, the token expires and
`grant_type=refresh_token` gives the next one. `oauth.v2.exchange` turns a token installed
before rotation was on (a legacy one, without expiry) into an expiring one with its refresh
token, once."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.state import DoubleState
from bot.sandbox.double.workspace import Workspace

OAUTH_ACCESS = "oauth.v2.access"
OAUTH_EXCHANGE = "oauth.v2.exchange"
CODE_SECONDS = 600  # Slack's codes expire after ten minutes


@dataclass
class OAuthApp:
    """An app's credentials and settings as Slack holds them."""

    client_id: str
    client_secret: str
    redirect_url: str
    app_id: str = "A0APP"
    rotation_seconds: int | None = None  # token rotation on: a bot token lives this long


@dataclass
class _Code:
    team_id: str
    client_id: str
    installer: str
    issued_at: float


@dataclass
class OAuthApps:
    clock: Callable[[], float]
    apps: dict[str, OAuthApp] = field(default_factory=dict)
    _codes: dict[str, _Code] = field(default_factory=dict)
    _refresh: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> team, client
    _issued: dict[str, tuple[str, str]] = field(default_factory=dict)  # bot token -> team, client
    _exchanged: set[str] = field(default_factory=set)  # legacy tokens given up for new ones
    _serial: Any = field(default_factory=lambda: itertools.count(1))

    def register(self, app: OAuthApp) -> None:
        self.apps[app.client_id] = app

    def approve(self, query: Mapping[str, str], hosted: dict[str, DoubleState]) -> web.Response:
        """`team` names a hosted workspace, or an org (its enterprise id) to install org-wide."""
        app = self.apps.get(query.get("client_id", ""))
        team_id = query.get("team", "")
        workspaces = _installed_in(hosted, team_id)
        if app is None or not workspaces:
            return web.Response(status=400, text="invalid_client_id or unknown team")
        installer = query.get("user") or next(
            u.id for u in workspaces[0].users.values() if not u.is_bot
        )
        code = f"{team_id}.code.{next(self._serial)}"
        self._codes[code] = _Code(team_id, app.client_id, installer, self.clock())
        back = {"code": code, "state": query.get("state", "")}
        location = f"{query.get('redirect_uri') or app.redirect_url}?{urlencode(back)}"
        return web.Response(status=302, headers={"Location": location})

    def access(
        self, headers: Mapping[str, str], args: dict[str, Any], hosted: dict[str, DoubleState]
    ) -> dict[str, Any]:
        app = self._authenticated_app(headers, args)
        if args.get("grant_type") == "refresh_token":
            team_id = self._refreshed_team(app, str(args.get("refresh_token") or ""))
            return self._bot_token(app, hosted, team_id, installer=None)
        code = self._codes.pop(str(args.get("code") or ""), None)  # a code is used once
        if code is None or code.client_id != app.client_id:
            raise SlackError("invalid_code")
        if self.clock() - code.issued_at > CODE_SECONDS:
            raise SlackError("invalid_code")
        return self._bot_token(app, hosted, code.team_id, installer=code.installer)

    def exchange(
        self,
        headers: Mapping[str, str],
        token: str | None,
        args: dict[str, Any],
        hosted: dict[str, DoubleState],
    ) -> dict[str, Any]:
        """A legacy bot token this app installed (the `token` argument, or the bearer header
        slack_sdk sends it in) for an expiring token and its refresh token. Slack revokes an
        exchanged token once the new one is in use; the double is stricter and simpler: the
        legacy token stops working at once, so an app still using it fails where it would
        fail in Slack a little later. User tokens are not modelled: only bot tokens exchange."""
        app = self._authenticated_app(headers, args)
        if token in self._exchanged:
            raise SlackError("token_already_exchanged")
        issued = self._issued.get(token or "")
        if token is None or issued is None or issued[1] != app.client_id:
            raise SlackError("invalid_token")
        workspaces = _installed_in(hosted, issued[0])
        if not workspaces or any(token in ws.revoked_tokens for ws in workspaces):
            raise SlackError("authorization_not_found")  # uninstalled, or the token revoked
        if any(token in ws.token_expiry for ws in workspaces):
            raise SlackError("invalid_token")  # it rotates already: nothing to exchange
        if app.rotation_seconds is None:
            raise SlackError("token_rotation_not_enabled")
        body = self._bot_token(app, hosted, issued[0], installer=None)
        del body["is_enterprise_install"]  # not in oauth.v2.exchange's answer
        self._exchanged.add(token)
        for ws in workspaces:
            ws.revoke_token(token)
        return body

    def _authenticated_app(self, headers: Mapping[str, str], args: dict[str, Any]) -> OAuthApp:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        scheme, _, encoded = headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
            except ValueError as exc:
                raise SlackError("invalid_client_id") from exc
        app = self.apps.get(str(client_id or ""))
        if app is None:
            raise SlackError("invalid_client_id")
        if client_secret != app.client_secret:
            raise SlackError("bad_client_secret")
        return app

    def _refreshed_team(self, app: OAuthApp, refresh_token: str) -> str:
        found = self._refresh.get(refresh_token)
        if found is None or found[1] != app.client_id:
            raise SlackError("invalid_refresh_token")
        del self._refresh[refresh_token]  # spent: Slack refuses a refresh token used twice
        return found[0]

    def _bot_token(
        self,
        app: OAuthApp,
        hosted: dict[str, DoubleState],
        target: str,
        *,
        installer: str | None,
    ) -> dict[str, Any]:
        """A new bot token for the workspace, or for every workspace of an org installing
        org-wide (the double accepts it from now on): Slack then answers with the enterprise
        and no team."""
        workspaces = _installed_in(hosted, target)
        ws, org_wide = workspaces[0], _is_org(workspaces, target)
        n = next(self._serial)
        token = f"xoxb-{target}-{n}"
        self._issued[token] = (target, app.client_id)
        for each in workspaces:
            each.add_token(token, set(each.bot_scopes), org_wide=org_wide)
            each.org_installed = each.org_installed or org_wide
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(sorted(ws.bot_scopes)),
            "bot_user_id": ws.bot_user_id,
            "app_id": app.app_id,
            "team": None if org_wide else {"id": ws.team_id, "name": ws.team_name},
            "enterprise": {"id": ws.enterprise_id, "name": ws.enterprise_name}
            if ws.enterprise_id
            else None,
            "is_enterprise_install": org_wide,
        }
        if installer is not None:
            body["authed_user"] = {"id": installer}
        if app.rotation_seconds is not None:
            refresh = f"xoxe-1-{target}-{n}"
            self._refresh[refresh] = (target, app.client_id)
            for each in workspaces:
                each.expire_token(token, at=self.clock() + app.rotation_seconds)
            body.update(refresh_token=refresh, expires_in=app.rotation_seconds)
        return body


def _installed_in(hosted: dict[str, DoubleState], team_or_org: str) -> list[Workspace]:
    """The workspace a team id names, or every workspace of the org an enterprise id names."""
    if team_or_org in hosted:
        return [hosted[team_or_org].workspace]
    return [s.workspace for s in hosted.values() if s.workspace.enterprise_id == team_or_org]


def _is_org(workspaces: list[Workspace], team_or_org: str) -> bool:
    return workspaces[0].team_id != team_or_org
