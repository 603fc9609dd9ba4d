"""The App Home tab: a participant's programmes, and for leads their programmes with counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.ids import Action, keyed
from bot.models import ParticipantStatus
from bot.services.checkins import PairHome
from bot.services.programmes import ProgrammeSummary
from bot.services.signup import Participation
from bot.views.blocks import Block, actions, button, context, divider, escape, header, section
from bot.views.signup import participation_line
from bot.views.when import slack_date

MAX_HOME_BLOCKS = 100


PAIR_ACTIONS_SHOWN = 5


def pair_blocks(home: PairHome, user_id: str, *, today: date) -> list[Block]:
    """One pair: who, since when, the agreement, sessions against plan, open actions."""
    pair, progress = home.pair, home.progress
    partner = pair.other(user_id)
    me = pair.member(user_id)
    role = "mentee" if me and me.role.value == "mentor" else "mentor"
    since = f" since {home.since:%d %b %Y}" if home.since else ""
    lines = [f"*Your {role}: {escape(partner.name)}*{since} · {escape(pair.programme_name)}"]
    if home.agreement is None:
        lines.append("No agreement yet: set one up together.")
    else:
        a = home.agreement
        lines.append(
            f"Agreement: {a.sessions_planned} sessions of {a.session_minutes} min every "
            f"{a.cadence_days} days, until {a.ends_on:%d %b %Y}."
        )
    planned = f" of {progress.planned}" if progress.planned else ""
    held = f"{progress.held}{planned} sessions held"
    if progress.last_on:
        held += f", last on {progress.last_on:%d %b}"
    if progress.next_at:
        held += f", next {slack_date(progress.next_at)}"
    lines.append(held + ".")
    blocks: list[Block] = [section("\n".join(lines))]
    if home.actions:
        shown = []
        for action in home.actions[:PAIR_ACTIONS_SHOWN]:
            late = " ⚠️ overdue" if action.overdue(today) else ""
            due = f", due {action.due_on:%d %b}" if action.due_on else ""
            shown.append(f"• {escape(action.text)} ({escape(action.owner.name)}{due}){late}")
        more = len(home.actions) - PAIR_ACTIONS_SHOWN
        if more > 0:
            shown.append(f"…and {more} more: `/mentoring actions`.")
        blocks.append(context("*Open actions*\n" + "\n".join(shown)))
    buttons = [
        button("Log a session", keyed(Action.LOG_SESSION, pair.id), str(pair.id), style="primary"),
        button("My actions", Action.MY_ACTIONS, "home"),
    ]
    label = "Set up our agreement" if home.agreement is None else "Change our agreement"
    buttons.append(button(label, keyed(Action.AGREEMENT_OPEN, pair.id), str(pair.id)))
    blocks.append(actions(*buttons))
    return blocks


def home_view(
    *,
    participations: list[Participation],
    open_programme_count: int,
    lead_programmes: list[ProgrammeSummary] | None,
    lead_reports: dict[int, str] | None = None,
    may_create_programmes: bool = True,
    pairs: Sequence[PairHome] = (),
    user_id: str = "",
    today: date | None = None,
) -> Block:
    blocks: list[Block] = [header("Reverse mentoring")]
    for home in pairs[:3]:
        blocks += pair_blocks(home, user_id, today=today or date.today())
        blocks.append(divider())
    if participations:
        blocks.append(section("\n".join(participation_line(p) for p in participations[:20])))
    else:
        blocks.append(section("You haven't joined a programme yet."))
    buttons = []
    if open_programme_count:
        buttons.append(button("Join a programme", Action.JOIN, style="primary"))
    if any(p.can_edit for p in participations):
        first = next(p for p in participations if p.can_edit)
        buttons.append(button("Edit my answers", Action.EDIT_SIGNUP, str(first.programme_id)))
    if buttons:
        blocks.append(actions(*buttons))
    if any(p.status == ParticipantStatus.SIGNED_UP for p in participations):
        blocks.append(
            context("*Need something?* Each of these asks you first and says what happens.")
        )
        support = [button("Raise a concern", Action.RAISE_CONCERN, "home")]
        if pairs:
            support.append(button("Pause our pair", Action.HOME_PAUSE, "home"))
            support.append(button("Ask for a new partner", Action.HOME_REMATCH, "home"))
        support.append(button("Leave a programme", Action.HOME_LEAVE, "home"))
        blocks.append(actions(*support))

    if lead_programmes is not None:
        blocks += [divider(), header("Programmes you can run")]
        if may_create_programmes:
            blocks.append(actions(button("New programme", Action.NEW_PROGRAMME, "new")))
        # Each programme takes two blocks; keep within the Home tab's 100-block limit.
        room = (MAX_HOME_BLOCKS - len(blocks) - 1) // 2
        for summary in lead_programmes[:room]:
            blocks.append(
                section(f"*{escape(summary.name)}* – {summary.status.value} (you lead it)")
            )
            figures = (lead_reports or {}).get(summary.id)
            blocks.append(
                context(
                    f"{figures} · full report: `/mentoring-admin report {summary.name}`"
                    if figures
                    else f"{summary.mentors} mentors · {summary.mentees} mentees signed up · "
                    f"enrolment until {summary.enrolment_deadline:%d %b %Y}"
                )
            )
        if len(lead_programmes) > room:
            blocks.append(
                context(f"…and {len(lead_programmes) - room} more: `/mentoring-admin list`.")
            )
    return {"type": "home", "blocks": blocks}
