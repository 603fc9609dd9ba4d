"""The demo's sponsor scene: on the first of the month the programmes sweep sends the executive
sponsor the month's digest (the report's figures, nobody named), and the sponsor asks the leads
for more; the leads hear it once, however often the button is pressed."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from bot.clock import FakeClock
from bot.ids import Action
from bot.sandbox import Sandbox
from bot.sandbox.demo.pair_work import Step, _press
from bot.sandbox.demo.transcript import Transcript

MENTION = re.compile(r"<@(\w+)>")


async def play_sponsor(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, sponsor: str
) -> None:
    today = clock.now().date()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    clock.set(datetime.combine(first, time(9), clock.now().tzinfo))
    log.say("\n== The executive sponsor's monthly digest ==")
    log.say(f"(the clock moves to {first:%d %b}: the programmes sweep runs)")
    for job in ("programmes", "deliver"):
        await box.run_job(job)
    log.skip()  # the digest is told in full below, not as one clipped line
    digest = box.dms(sponsor)[-1]
    log.say(f"    DM to {log.name(sponsor)}:")
    for block in digest["blocks"]:
        text = (block.get("text") or {}).get("text") or ""
        if block.get("type") == "context":
            text = block["elements"][0]["text"]
        for line in filter(None, text.splitlines()):
            log.say("      " + MENTION.sub(lambda m: "@" + log.name(m.group(1)), line))
    buttons = [
        f"[{e['text']['text']}]"
        for b in digest["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    log.say("      " + " ".join(buttons))
    await step(
        sponsor, "chooses Ask the leads for more", _press(box, sponsor, digest, Action.ASK_LEADS)
    )
