"""The App Home tab: a participant's programmes, and for leads their programmes with counts."""

from __future__ import annotations

from bot.ids import Action
from bot.services.programmes import ProgrammeSummary
from bot.services.signup import Participation
from bot.views.blocks import Block, actions, button, context, divider, escape, header, section
from bot.views.signup import participation_line

MAX_HOME_BLOCKS = 100


def home_view(
    *,
    participations: list[Participation],
    open_programme_count: int,
    lead_programmes: list[ProgrammeSummary] | None,
) -> Block:
    blocks: list[Block] = [header("Reverse mentoring")]
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

    if lead_programmes is not None:
        blocks += [divider(), header("Programmes you can run")]
        blocks.append(actions(button("New programme", Action.NEW_PROGRAMME, "new")))
        # Each programme takes two blocks; keep within the Home tab's 100-block limit.
        room = (MAX_HOME_BLOCKS - len(blocks) - 1) // 2
        for summary in lead_programmes[:room]:
            blocks.append(
                section(
                    f"*{escape(summary.name)}* – {summary.status.value}"
                    + (" (you lead it)" if summary.is_lead else "")
                )
            )
            blocks.append(
                context(
                    f"{summary.mentors} mentors · {summary.mentees} mentees signed up · "
                    f"enrolment until {summary.enrolment_deadline:%d %b %Y}"
                )
            )
        if len(lead_programmes) > room:
            blocks.append(
                context(f"…and {len(lead_programmes) - room} more: `/mentoring-admin list`.")
            )
    return {"type": "home", "blocks": blocks}
