"""`app_uninstalled` and `tokens_revoked`: the workspace is marked gone, what was queued for it
is withdrawn, its installation (OAuth mode) is deleted, and the sweeps pass it by. Any later
request from the team that Slack signed and the app authorised means it installed the app
again (Slack sends a single-workspace app no `app_installed`): the mark is cleared and the
sweeps take the workspace up again. An org-wide (Enterprise Grid) installation is one
installation for every workspace of the org: its uninstall deletes it and marks all of them
gone."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.deps import Deps
from bot.services import workspaces
from bot.slack.routing import every_request, then

log = logging.getLogger(__name__)

GONE_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})


def _sign_of_install(request: AsyncBoltRequest) -> bool:
    """Not the uninstall itself, nor Slack retrying an event that may predate it."""
    # Socket Mode numbers an event's first delivery 0; HTTP sends no number until a retry.
    retry_num = request.headers.get("x-slack-retry-num") or ["0"]
    if retry_num[0] != "0":
        return False
    event = request.body.get("event") or {}
    return event.get("type") not in GONE_EVENTS


async def workspace_and_org(req: AsyncBoltRequest, next_: Callable[[], Awaitable[None]]) -> None:
    """An event to an org-wide installation is authorised for the org and names no team in
    its authorization; the workspace it happened in is the envelope's `team_id`. A request
    from a workspace of an org says which org that is, for the sweeps to find its token.

    From here on `context["team_id"]`, which every listener scopes programmes and people by
    (and Bolt hands to any listener argument of that name), is the request's tenant: the org
    for an org-wide installation, so that one programme spans the org's workspaces and a
    person seen in two of them is one person; otherwise the workspace. The workspace itself
    stays in `context["workspace_id"]`."""
    context = req.context
    deps: Deps = context["deps"]
    workspace = context.team_id or req.body.get("team_id")
    if not isinstance(workspace, str):
        await next_()
        return
    org = context.enterprise_id if context.is_enterprise_install else None
    context["workspace_id"], context["team_id"] = workspace, org or workspace
    now = deps.clock.now()
    if context.enterprise_id:
        await deps.enterprises.learn(
            team_id=workspace, enterprise_id=context.enterprise_id, now=now
        )
    if org:
        # The org is a tenant of its own: its programmes' rows name it, and its token is found
        # as a team's is (bot/slack/tokens.py), through the org it belongs to: itself.
        await deps.enterprises.learn(team_id=org, enterprise_id=org, now=now)
    await next_()


async def back_after_uninstall(req: AsyncBoltRequest, next_: Callable[[], Awaitable[None]]) -> None:
    # Answered from memory (a process's first request reads the database once); a write
    # only for a team marked gone, so acknowledgements do not wait on it.
    deps: Deps = req.context["deps"]
    for team_id in dict.fromkeys((req.context.get("workspace_id"), req.context.team_id)):
        if team_id and await deps.uninstalled.contains(team_id) and _sign_of_install(req):
            async with deps.db.transaction() as session:
                back = await workspaces.reinstall(session, team_id=team_id, now=deps.clock.now())
            deps.uninstalled.mark(team_id, gone=False)
            if back:
                log.info("workspace %s is back: its sweeps and queued messages resume", team_id)
    await next_()


async def uninstall(deps: Deps, context: dict) -> None:
    team_id, enterprise_id = context.get("team_id"), context.get("enterprise_id")
    org = enterprise_id if context.get("is_enterprise_install") else None
    teams = {t for t in (context.get("workspace_id"), team_id) if t}
    if org is not None:
        teams.update({org, *await deps.enterprises.teams_of(org)})
    for team in sorted(teams):
        async with deps.db.transaction() as session:
            withdrawn = await workspaces.uninstall(session, team_id=team, now=deps.clock.now())
        deps.uninstalled.mark(team, gone=True)
        log.info("workspace %s uninstalled the app; %d queued messages withdrawn", team, withdrawn)
    # OAuth mode: its installation's tokens go too (the org's, for an org-wide install).
    await deps.tokens.forget(sorted(teams), enterprise_id=enterprise_id, org_wide=org is not None)


async def app_uninstalled(deps: Deps, context: dict) -> None:
    await uninstall(deps, context)


async def tokens_revoked(deps: Deps, event: dict, context: dict) -> None:
    # Only the bot token matters: user tokens are not used.
    if (event.get("tokens") or {}).get("bot"):
        await uninstall(deps, context)


def register(app: AsyncApp) -> None:
    every_request(app, workspace_and_org)
    every_request(app, back_after_uninstall)
    then(app.event("app_uninstalled"))(app_uninstalled)
    then(app.event("tokens_revoked"))(tokens_revoked)
