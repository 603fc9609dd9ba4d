"""The App Home tab: a participant's programmes, and for leads their programmes with counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.ids import Action, keyed
from bot.models import ParticipantStatus
from bot.services.checkins import PairHome
from bot.services.preparation import SideCount
from bot.services.programmes import ProgrammeSummary
from bot.services.signup import Participation
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, code, join, mrkdwn
from bot.views.preparation import completion_line
from bot.views.signup import participation_line
from bot.views.when import slack_date

MAX_HOME_BLOCKS = 100


PAIR_ACTIONS_SHOWN = 5


def pair_blocks(home: PairHome, user_id: str, *, now: datetime) -> list[Block]:
    """One pair: who, since when, the agreement, sessions against plan, open actions. A next
    session whose time has passed is not shown as next."""
    pair, progress, today = home.pair, home.progress, now.date()
    partner = pair.other(user_id)
    me = pair.member(user_id)
    role = "mentee" if me and me.role.value == "mentor" else "mentor"
    since = f" since {home.since:%d %b %Y}" if home.since else ""
    lines = [
        mrkdwn(
            "*Your {role}: {partner}*{since} · {programme}",
            role=role,
            partner=partner.name,
            since=since,
            programme=pair.programme_name,
        )
    ]
    if home.agreement is None:
        lines.append(mrkdwn("No agreement yet: set one up together."))
    else:
        a = home.agreement
        lines.append(
            mrkdwn(
                "Agreement: {sessions} sessions of {minutes} min every "
                "{cadence} days, until {ends:%d %b %Y}.",
                sessions=a.sessions_planned,
                minutes=a.session_minutes,
                cadence=a.cadence_days,
                ends=a.ends_on,
            )
        )
    planned = f" of {progress.planned}" if progress.planned else ""
    held = mrkdwn("{held}{planned} sessions held", held=progress.held, planned=planned)
    if progress.last_on:
        held += mrkdwn(", last on {last:%d %b}", last=progress.last_on)
    if progress.next_at and progress.next_at > now:
        held += mrkdwn(", next {at}", at=slack_date(progress.next_at))
    elif progress.held:
        held += mrkdwn(", no next session booked")
    lines.append(held + ".")
    rows: list[Block] = [blocks.section(join("\n", lines))]
    if home.actions:
        shown: list[Mrkdwn] = []
        for action in home.actions[:PAIR_ACTIONS_SHOWN]:
            late = " ⚠️ overdue" if action.overdue(today) else ""
            due = f", due {action.due_on:%d %b}" if action.due_on else ""
            shown.append(
                mrkdwn(
                    "• {text} ({owner}{due}){late}",
                    text=action.text,
                    owner=action.owner.name,
                    due=due,
                    late=late,
                )
            )
        more = len(home.actions) - PAIR_ACTIONS_SHOWN
        if more > 0:
            shown.append(mrkdwn("…and {more} more: `/mentoring actions`.", more=more))
        rows.append(blocks.context(mrkdwn("*Open actions*\n{shown}", shown=join("\n", shown))))
    buttons = [
        blocks.button(
            "Log a session", keyed(Action.LOG_SESSION, pair.id), str(pair.id), style="primary"
        ),
        blocks.button("My actions", Action.MY_ACTIONS, "home"),
    ]
    label = "Set up our agreement" if home.agreement is None else "Change our agreement"
    buttons.append(blocks.button(label, keyed(Action.AGREEMENT_OPEN, pair.id), str(pair.id)))
    rows.append(blocks.actions(*buttons))
    return rows


def home_view(
    *,
    participations: list[Participation],
    open_programme_count: int,
    lead_programmes: list[ProgrammeSummary] | None,
    lead_reports: dict[int, str] | None = None,
    lead_preparation: dict[int, list[SideCount]] | None = None,
    may_create_programmes: bool = True,
    pairs: Sequence[PairHome] = (),
    user_id: str = "",
    now: datetime,
) -> Block:
    shown: list[Block] = [blocks.header("Reverse mentoring")]
    for home in pairs[:3]:
        shown += pair_blocks(home, user_id, now=now)
        shown.append(blocks.divider())
    shown += _my_programmes(participations, open_programme_count)
    if any(p.status == ParticipantStatus.SIGNED_UP for p in participations):
        shown += _support(in_a_pair=bool(pairs))
    if lead_programmes is not None:
        shown += _programmes_led(
            lead_programmes,
            lead_reports or {},
            lead_preparation or {},
            may_create_programmes,
            shown_above=len(shown),
        )
    return {"type": "home", "blocks": shown}


def _my_programmes(participations: list[Participation], open_programme_count: int) -> list[Block]:
    if participations:
        shown = [blocks.section(join("\n", (participation_line(p) for p in participations[:20])))]
    else:
        shown = [blocks.section("You haven't joined a programme yet.")]
    buttons = []
    if open_programme_count:
        buttons.append(blocks.button("Join a programme", Action.JOIN, style="primary"))
    if any(p.can_edit for p in participations):
        first = next(p for p in participations if p.can_edit)
        buttons.append(
            blocks.button("Edit my answers", Action.EDIT_SIGNUP, str(first.programme_id))
        )
    if buttons:
        shown.append(blocks.actions(*buttons))
    return shown


def _support(*, in_a_pair: bool) -> list[Block]:
    support = [blocks.button("Raise a concern", Action.RAISE_CONCERN, "home")]
    if in_a_pair:
        support.append(blocks.button("Pause our pair", Action.HOME_PAUSE, "home"))
        support.append(blocks.button("Ask for a new partner", Action.HOME_REMATCH, "home"))
    support.append(blocks.button("Leave a programme", Action.HOME_LEAVE, "home"))
    return [
        blocks.context("*Need something?* Each of these asks you first and says what happens."),
        blocks.actions(*support),
    ]


def _programmes_led(
    summaries: list[ProgrammeSummary],
    reports: dict[int, str],
    prepared: dict[int, list[SideCount]],
    may_create_programmes: bool,
    *,
    shown_above: int,
) -> list[Block]:
    shown = [blocks.divider(), blocks.header("Programmes you can run")]
    if may_create_programmes:
        shown.append(blocks.actions(blocks.button("New programme", Action.NEW_PROGRAMME, "new")))
    # Each programme takes two blocks; keep within the Home tab's 100-block limit.
    room = (MAX_HOME_BLOCKS - shown_above - len(shown) - 1) // 2
    for summary in summaries[:room]:
        shown += _programme_led(summary, reports.get(summary.id), prepared.get(summary.id))
    if len(summaries) > room:
        shown.append(
            blocks.context(
                mrkdwn("…and {more} more: `/mentoring-admin list`.", more=len(summaries) - room)
            )
        )
    return shown


def _programme_led(
    summary: ProgrammeSummary, figures: str | None, prepared: list[SideCount] | None
) -> list[Block]:
    """Its name and status, its report's figures once it has them, and how many of each side
    have finished their preparation (counts only)."""
    heading = mrkdwn(
        "*{name}* – {status} (you lead it)", name=summary.name, status=summary.status.value
    )
    if figures:
        facts = mrkdwn(
            "{figures} · full report: {command}",
            figures=figures,
            command=code(f"/mentoring-admin report {summary.name}"),
        )
    else:
        facts = mrkdwn(
            "{mentors} mentors · {mentees} mentees signed up · enrolment until {deadline:%d %b %Y}",
            mentors=summary.mentors,
            mentees=summary.mentees,
            deadline=summary.enrolment_deadline,
        )
    if prepared:
        facts = mrkdwn("{facts}\n{line}", facts=facts, line=completion_line(prepared))
    return [blocks.section(heading), blocks.context(facts)]
