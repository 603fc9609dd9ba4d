"""The Slack double in its own process for bench/ack.py, plus a small control port.

Control (JSON on the second port): POST /triggers [[trigger_id, user_id], ...] accepts trigger
ids the load generator minted; POST /latency {"seconds": s} sets the delay of every Web API call;
POST /submission {"user", "values"} builds the payload of submitting the user's open modal;
POST /envelope {"kind", "payload"} sends one envelope on the app's Socket Mode connection and
answers, once the app acknowledged it, with the acknowledgement and how long it took (timed
here, from sending the envelope to reading the ack, as HTTP's is timed by the load generator).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bot.sandbox.double import Channel, SlackDouble, User, Workspace  # noqa: E402
from bot.sandbox.signer import SignedResponse, SlackRequestSigner  # noqa: E402
from bot.web import bound_port, start_web_app  # noqa: E402

TEAM = "T0BENCH"
APP_TOKEN = "xapp-1-A0BENCH-bench"


def bench_workspace(people: int, token: str) -> Workspace:
    manifest = json.loads((ROOT / "manifests" / "socket-mode.json").read_text())
    ws = Workspace(
        team_id=TEAM,
        team_name="Bench",
        domain="bench",
        bot_user_id="U0BOT",
        bot_id="B0BOT",
        app_id="A0BENCH",
        bot_token=token,
        bot_scopes=set(manifest["oauth_config"]["scopes"]["bot"]),
    )
    for i in range(people):
        ws.add_user(User(id=f"U{i:05d}", name=f"user{i}", real_name=f"User {i}"))
    ws.add_channel(Channel(id="C0GENERAL", name="general", members=set(ws.users)))
    ws.add_app_token(APP_TOKEN)
    return ws


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    double = SlackDouble(bench_workspace(args.people, args.token), rate_limits=False)
    await double.start()

    async def triggers(request: web.Request) -> web.Response:
        for trigger_id, user_id in await request.json():
            double.triggers.register(trigger_id, user_id)
        return web.json_response({"ok": True})

    async def latency(request: web.Request) -> web.Response:
        double.latency = float((await request.json())["seconds"])
        return web.json_response({"ok": True})

    signer = SlackRequestSigner(signing_secret="unused", app_url="http://unused", double=double)

    async def submission(request: web.Request) -> web.Response:
        """The sign-up form's submission payload, built from the modal the app opened."""
        body = await request.json()
        stack = double.open_modals(body["user"])
        if not stack:
            return web.json_response({"ok": False}, status=404)
        values = dict(body["values"])
        for block in stack[-1]["blocks"]:
            if block.get("block_id", "").startswith("baseline_"):
                values.setdefault(block["block_id"], "3")  # a self-rating per objective
        payload = signer.view_submission(body["user"], stack[-1]["id"], values)
        return web.json_response({"ok": True, "payload": payload})

    async def envelope(request: web.Request) -> web.Response:
        body = await request.json()
        ack = await double.socket_mode.send(body["kind"], body["payload"])
        answer = SignedResponse.of_ack(ack, None, body["kind"])
        return web.json_response(
            {"status": answer.status, "text": answer.text, "elapsed": answer.elapsed}
        )

    refused: Counter[str] = Counter()  # the calls answered ok: false, by Slack's error
    counted = 0

    async def calls(_request: web.Request) -> web.Response:
        nonlocal counted
        for call in double.calls[counted:]:
            if not call.response.get("ok", True):
                refused[str(call.response.get("error"))] += 1
        counted = len(double.calls)
        return web.json_response({"calls": counted, "refused": refused})

    control = web.Application()
    control.router.add_post("/triggers", triggers)
    control.router.add_post("/latency", latency)
    control.router.add_get("/calls", calls)
    control.router.add_post("/submission", submission)
    control.router.add_post("/envelope", envelope)
    runner = await start_web_app(control, host="127.0.0.1", port=0)
    print(f"PORTS {double.base_url.rsplit(':', 1)[1]} {bound_port(runner)}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
