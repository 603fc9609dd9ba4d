"""The demo's last act: a success story is shared and published, the programme reaches its end
date (the leads get the review summary), the lead runs the report, whose blocks, chart and CSV
are written to a local folder, and when the review closes the next cohort is one click away."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import Programme
from bot.sandbox import Sandbox
from bot.sandbox.demo.pair_work import Step, _confirmed, _press
from bot.sandbox.demo.transcript import Transcript, short
from bot.services.lifecycle import REVIEW_WINDOW

STORY: dict[str, Any] = {
    Field.STORY_TITLE: "The board now asks the graduates first",
    Field.STORY_TEXT: "After six sessions my mentee runs a monthly open Q&A with graduates on "
    "the intranet, and two of our product ideas came from it.",
    Field.CONSENT: ["share", "name"],
}


async def play_ending(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, lead: str, folder: Path
) -> None:
    assert box.db is not None
    async with box.db.transaction() as session:
        programme = await session.scalar(select(Programme))
    # The story is told by the mentor of the pair the act followed from its first session.
    _, mentor, _ = (await _confirmed(box))[0]
    assert programme is not None
    log.say("\n== A success story, the end of the programme and the report ==")
    await step(mentor, "types /mentoring story", box.command(mentor, Command.PARTICIPANT, "story"))
    modal = box.modal(mentor)
    assert modal is not None
    await step(mentor, "shares a story, with their name", box.submit(mentor, modal["id"], STORY))
    await step(lead, "types /mentoring-admin stories", box.command(lead, Command.ADMIN, "stories"))
    await step(
        lead, "approves it", _press(box, lead, box.last_ephemeral(lead), Action.STORY_APPROVE)
    )
    await box.command(lead, Command.ADMIN, "stories")  # the list again, to press Publish in
    log.skip()  # it shows what "approves it" just showed
    await step(
        lead, "chooses Publish", _press(box, lead, box.last_ephemeral(lead), Action.STORY_PUBLISH)
    )
    channel = programme.announcement_channel_id
    publish = box.modal(lead)
    assert publish is not None and channel
    await step(
        lead,
        "publishes it in the announcement channel",
        box.submit(lead, publish["id"], {Field.CHANNEL: channel}),
    )

    end = datetime.combine(programme.ends_on, time(9), clock.now().tzinfo)
    clock.set(end)
    log.say(f"\n(the clock moves to the end date, {programme.ends_on:%d %b})")
    for job in ("programmes", "deliver"):
        await box.run_job(job)
    log.flush()

    await step(lead, "types /mentoring-admin report", box.command(lead, Command.ADMIN, "report"))
    folder.mkdir(parents=True, exist_ok=True)
    reply = box.replies(lead)[-1]
    lines = []
    for block in reply.get("blocks", []):
        text = (block.get("text") or {}).get("text") or ""
        if block.get("type") == "context":
            text = block["elements"][0]["text"]
        lines.append(text)
    (folder / "report.md").write_text("\n\n".join(lines) + "\n")
    written = ["report.md"]
    for entry in box.double.state.files.values():
        # (The pairs' calendar files were shared along the way; this is the report's.)
        if entry.get("content") and not entry["name"].endswith(".ics"):
            (folder / entry["name"]).write_bytes(entry["content"])
            written.append(entry["name"])
    log.say(f"    the report, its chart and its CSV are in {folder}: {', '.join(written)}")

    clock.set(end + REVIEW_WINDOW + timedelta(hours=1))
    log.say("\n(the clock moves on two weeks: the end review closes)")
    for job in ("programmes", "deliver"):
        await box.run_job(job)
    log.flush()
    closing = next(m for m in reversed(box.dms(lead)) if "is closed" in m["text"])
    await step(
        lead, "chooses Start the next cohort", _press(box, lead, closing, Action.CLONE_PROGRAMME)
    )
    form = box.modal(lead) or {}
    name = next(
        (
            b["element"].get("initial_value")
            for b in form.get("blocks", [])
            if b.get("block_id") == Field.NAME
        ),
        "",
    )
    log.say(f"    the set-up form opens as “{short(name)}”, prefilled from this cohort")
