"""The executive sponsor: named on the set-up form (or the leads form), not a lead. On the first
of each month after kick-off (1 Feb) while the programme runs they get a digest of the report's
figures, once, in their waking hours; the final figures when it closes; each digest in the
audit log. Their digest's button asks the leads for more, and works for nobody else."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.models import AuditEntry, Outbox, OutboxStatus, Programme
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.services.programmes import SPONSOR_IS_A_LEAD
from bot.services.sponsors import GONE, NOT_THE_SPONSOR
from bot.views.admin import NOT_A_LEAD, STALE_BUTTON
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2
from tests.flows import EXEC2, SETUP_VALUES, agree, confirm_pairs, replay_as
from tests.scenarios import play
from tests.test_momentum_flows import at, log_session, tick

SPONSOR = "U0SPONSOR"
PARTICIPANTS = ("Mia Mentor", "Max Mentor", "Eve Exec", "Ed Exec", "Flo Exec")


def add_sponsor(box: Sandbox) -> None:
    box.workspace.add_user(
        User(id=SPONSOR, name="sue", real_name="Sue Sponsor", tz="Europe/London")
    )


async def reach_sponsored(sandbox: Sandbox, clock: FakeClock) -> None:
    """Mia and Eve agreed on 9 Jan; the lead names Sue the sponsor on the leads form."""
    await agree(sandbox, await play(sandbox, clock, confirm_pairs))
    add_sponsor(sandbox)
    await sandbox.command(LEAD, Command.ADMIN, "leads")
    form = sandbox.modal(LEAD)
    assert form is not None and form["callback_id"] == View.PROGRAMME_LEADS
    response = await sandbox.submit(LEAD, form["id"], {Field.SPONSOR: [SPONSOR]})
    assert response.status == 200 and not response.text


@pytest.fixture
async def sponsored(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_sponsored)
    return sandbox


async def send_state(box: Sandbox, sent: Any, block: str, key: str, value: Any) -> Any:
    """The submission `sent`, signed again with this element's value as no Slack client sends
    it."""
    payload = json.loads(json.dumps(sent.payload))
    payload["trigger_id"] = box.double.new_trigger_id(payload["user"]["id"])
    payload["view"]["state"]["values"][block][block][key] = value
    body = urlencode({"payload": json.dumps(payload)})
    response = await box.signer.send(body, "application/x-www-form-urlencoded")
    await box.settle()
    return response


def digests(box: Sandbox) -> list[dict[str, Any]]:
    return [m for m in box.dms(SPONSOR) if "executive sponsor" in m["text"]]


def shown(message: dict[str, Any]) -> str:
    return str(message["blocks"])


async def sponsor_entries(box: Sandbox) -> list[AuditEntry]:
    async with box.db.transaction() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.lead_id == SPONSOR).order_by(AuditEntry.id)
        )
        return list(found)


async def test_a_monthly_digest_goes_once_a_month_while_the_programme_runs(
    sponsored: Sandbox, clock: FakeClock
) -> None:
    box = sponsored
    clock.set(at("02-10", 12))
    await log_session(box, MENTOR, "2026-02-10")
    await tick(box, clock, at("02-20", 12), "programmes", "deliver")
    assert digests(box) == []  # February is kick-off's month: nothing to tell yet

    clock.set(at("03-01", 12))
    # Two replicas sweeping at once, then a re-run: one digest.
    await asyncio.gather(box.run_job("programmes"), box.run_job("programmes"))
    await tick(box, clock, at("03-01", 12, 5), "programmes", "deliver")
    (march,) = digests(box)
    assert march["text"] == (
        "Digital cohort in March 2026: your monthly digest as its executive sponsor."
    )
    text = shown(march)
    assert "*Sign-ups:* 2 mentors and 3 mentees" in text
    assert "*Match rate:* 80% of people are in a pair" in text
    assert "*Chemistry meetings:* 100% said go (2 decided)" in text
    assert "*Sessions:* 1 held of 6 planned" in text
    assert "• Confidence with social media: not enough answers yet" in text
    assert "*Would recommend:* asked in the end review" in text
    assert f"The programme's leads: <@{LEAD}>." in text
    assert not any(name in text for name in PARTICIPANTS)
    assert not any(f"<@{user}>" in text for user in (MENTOR, MENTOR2, EXEC, EXEC2))
    await tick(box, clock, at("03-20", 12), "programmes", "deliver")
    assert len(digests(box)) == 1

    # April's is due at 05:00 UTC, 06:00 in London: it waits for the end of quiet hours.
    await tick(box, clock, at("04-01", 5), "programmes", "deliver")
    assert len(digests(box)) == 1
    await tick(box, clock, at("04-01", 7, 1), "deliver")
    assert digests(box)[-1]["text"].startswith("Digital cohort in April 2026")

    entries = await sponsor_entries(box)
    assert [(e.view, e.participant_ids) for e in entries] == [
        ("the sponsor's monthly digest", []),
        ("the sponsor's monthly digest", []),
    ]
    await box.command(LEAD, Command.ADMIN, "audit")
    assert (
        f"<@{SPONSOR}> was sent the sponsor's monthly digest of Digital cohort: figures only, "
        "nobody named" in str(box.replies(LEAD)[-1]["blocks"])
    )

    # The end date moves it to review: no digest; closing sends the final figures, once.
    for month in ("05", "06", "07"):  # 1 Jul, the end date, moves it to review first
        await tick(box, clock, at(f"{month}-01", 12), "programmes", "deliver")
    assert len(digests(box)) == 4  # May's and June's
    await tick(box, clock, at("07-15", 12), "programmes", "deliver")
    final = digests(box)[-1]
    assert final["text"] == (
        "Digital cohort has closed: its final figures, for you as its executive sponsor."
    )
    assert "*Sessions:* 1 held of 6 planned" in shown(final)
    await tick(box, clock, at("08-01", 12), "programmes", "deliver")
    assert len(digests(box)) == 5
    assert [e.view for e in await sponsor_entries(box)][-1] == "the sponsor's final figures"


async def test_the_sponsor_has_no_lead_powers(sponsored: Sandbox) -> None:
    box = sponsored
    for word in ("pairs", "report", "audit", "leads"):
        await box.command(SPONSOR, Command.ADMIN, word)
        assert box.replies(SPONSOR)[-1]["text"] == NOT_A_LEAD, word


async def test_only_the_sponsor_asks_the_leads_for_more(
    sponsored: Sandbox, clock: FakeClock
) -> None:
    box = sponsored
    await tick(box, clock, at("03-01", 12), "programmes", "deliver")
    (digest,) = digests(box)
    lead_dms = len(box.dms(LEAD))

    pressed = await box.press(SPONSOR, digest, Action.ASK_LEADS)
    assert box.replies(SPONSOR)[-1]["text"] == (
        f"Done: the leads of Digital cohort (<@{LEAD}>) know you would like more, and will be "
        "in touch."
    )
    (asked,) = box.dms(LEAD)[lead_dms:]
    assert asked["text"] == (
        f"<@{SPONSOR}>, the executive sponsor of Digital cohort, would like to hear more than "
        "the digest. Reply to them directly."
    )
    await box.press(SPONSOR, digest, Action.ASK_LEADS)  # again this month: told, nothing sent
    assert "already know you would like more this month" in box.replies(SPONSOR)[-1]["text"]
    assert len(box.dms(LEAD)) == lead_dms + 1

    # The same press by anyone else, a lead included, is refused and tells nobody (the
    # refusal goes to the button's message).
    for other in (MENTOR, LEAD):
        await replay_as(box, pressed, other)
        assert box.replies(SPONSOR)[-1]["text"] == NOT_THE_SPONSOR
    where = {"channel": digest["channel"], "ts": digest["ts"]}
    await box.click(SPONSOR, Action.ASK_LEADS, "not-a-programme", message=where)
    assert box.replies(SPONSOR)[-1]["text"] == STALE_BUTTON
    await box.click(SPONSOR, Action.ASK_LEADS, "999", message=where)
    assert box.replies(SPONSOR)[-1]["text"] == GONE
    assert len(box.dms(LEAD)) == lead_dms + 1


async def test_a_digest_waiting_for_someone_no_longer_sponsor_is_withdrawn(
    sponsored: Sandbox, clock: FakeClock
) -> None:
    box = sponsored
    await tick(box, clock, at("03-01", 5), "programmes", "deliver")  # quiet hours in London
    await box.command(LEAD, Command.ADMIN, "leads")
    form = box.modal(LEAD)
    assert form is not None
    chosen = next(b for b in form["blocks"] if b.get("block_id") == Field.SPONSOR)
    assert chosen["element"]["initial_users"] == [SPONSOR]
    await box.submit(LEAD, form["id"], {Field.SPONSOR: []})
    await tick(box, clock, at("03-01", 9), "programmes", "deliver")
    assert digests(box) == []
    async with box.db.transaction() as session:
        programme = await session.scalar(select(Programme))
        withdrawn = await session.scalar(select(Outbox).where(Outbox.channel_id == SPONSOR))
    assert programme is not None and programme.sponsor_id is None
    assert withdrawn is not None and withdrawn.status == OutboxStatus.CANCELLED
    assert withdrawn.last_error == "no longer the sponsor"


async def test_the_set_up_form_names_a_sponsor_and_the_next_cohort_keeps_them(
    sandbox: Sandbox,
) -> None:
    box = sandbox
    add_sponsor(box)
    await box.command(LEAD, Command.ADMIN, "new")
    modal = box.modal(LEAD)
    assert modal is not None
    wrong = {
        LEAD: SPONSOR_IS_A_LEAD,
        MENTOR: SPONSOR_IS_A_LEAD,  # a co-lead on the same form
        "U0BOT": "Pick someone who works here: an app or a deactivated account cannot sponsor.",
    }
    for picked, error in wrong.items():
        values = {**SETUP_VALUES, Field.CO_LEADS: [MENTOR], Field.SPONSOR: [picked]}
        sent = await box.submit(LEAD, modal["id"], values)
        assert sent.json() == {"response_action": "errors", "errors": {Field.SPONSOR: error}}
    # What no Slack client sends, forged: the form says what to fix, nothing is created.
    for forged, error in (
        (["<!channel>"], "Pick the sponsor from the list of people, or leave it empty."),
        ([SPONSOR, EXEC], "Pick one sponsor, or none."),
        ("U0SPONSOR", "Pick one sponsor, or none."),
    ):
        answer = await send_state(box, sent, Field.SPONSOR, "selected_users", forged)
        assert answer.json() == {"response_action": "errors", "errors": {Field.SPONSOR: error}}
    async with box.db.transaction() as session:
        assert await session.scalar(select(Programme)) is None

    await box.submit(LEAD, modal["id"], {**SETUP_VALUES, Field.SPONSOR: SPONSOR})
    await box.command(LEAD, Command.ADMIN, "clone")
    cloned = box.modal(LEAD)
    assert cloned is not None and cloned["title"]["text"] == "Next cohort"
    chosen = next(b for b in cloned["blocks"] if b.get("block_id") == Field.SPONSOR)
    assert chosen["element"]["initial_users"] == [SPONSOR]
    await box.submit(LEAD, cloned["id"], {})
    async with box.db.transaction() as session:
        sponsors = dict((await session.execute(select(Programme.name, Programme.sponsor_id))).all())
    assert sponsors == {"Digital cohort": SPONSOR, "Digital cohort (next cohort)": SPONSOR}
