"""Text replies of the lead's slash command: help, the programme list, refusals."""

from __future__ import annotations

from bot.ids import Action
from bot.services.audit import SPONSOR_VIEWS, Seen
from bot.services.audit import View as AuditView
from bot.services.leads import NotTheirs
from bot.services.programmes import ProgrammeSummary
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, channel, code, escape, join, mention, mrkdwn

# What each word of the two commands does, in the order the help lists them. The listeners'
# dispatch tables hold exactly these words (a test compares them).
ADMIN_WORDS: dict[str, str] = {
    "new": "create a programme",
    "open [name]": "open enrolment and announce it in a channel",
    "close [name]": "close enrolment",
    "match [name]": "match the pool and preview the pairs before anyone is told",
    "rematch [name]": "match whoever is back in the pool; existing pairs stay",
    "pairs [name]": "the programme's pairs, and ending one",
    "report [name]": "the programme against its objectives, with a chart and a CSV",
    "spaces [name]": "set up or check the mentors' and mentees' private channels",
    "resources [name]": "the library posted to those channels",
    "stories [name]": "success stories to approve and publish",
    "social [name]": "announce a kick-off or a social; people answer going or not",
    "audit": "when leads were shown people's data",
    "clone [name]": "start the next cohort from a programme's settings",
    "leads [name]": "add or remove the programme's co-leads, or change its sponsor",
    "list": "your programmes with sign-ups",
    "help": "this message",
}

PARTICIPANT_WORDS: dict[str, str] = {
    "join": "sign up to a programme that is open",
    "status": "where you stand",
    "edit": "change your answers until matching",
    "checkin": "log a session with your partner",
    "actions": "your open actions, to mark done or drop",
    "concern": "tell the programme's leads and supporter, in confidence, what worries you",
    "pause": "pause your pair for one to four weeks",
    "rematch": "ask for a new partner, with no fault on either side",
    "story": "share a success story from the programme",
    "mydata": "a copy of everything stored about you, as a file",
    "delete": "erase your data (you are asked first)",
    "leave": "withdraw from a programme",
    "help": "this message",
}


def command_help(command: str, words: dict[str, str], *, audience: str = "") -> Mrkdwn:
    """A command's help: its name (and whom it is for), then a line per word."""
    title = mrkdwn("*{command}{audience}*", command=code(command), audience=audience)
    lines = [mrkdwn("• {usage} – {what}", usage=code(u), what=what) for u, what in words.items()]
    return join("\n", [title, *lines])


def words_of(words: dict[str, str]) -> list[str]:
    """The bare words a help lists (`open [name]` is `open`)."""
    return [usage.split()[0] for usage in words]


ADMIN_HELP = command_help("/mentoring-admin", ADMIN_WORDS, audience=" for programme leads")
PARTICIPANT_HELP = command_help("/mentoring", PARTICIPANT_WORDS)


def channel_advice(error: str, channel_id: str, *, refused: str) -> Mrkdwn:
    """What to tell a lead when Slack refuses a post to the channel they picked; `refused`
    names what was refused ("the post", "the announcement") when Slack gave another reason."""
    try:
        where = channel(channel_id)
    except ValueError:  # not an id Slack gave: the form was forged
        where = mrkdwn("that channel")
    if error == "not_in_channel":
        return mrkdwn(
            "I'm not a member of {where}. Invite me there first, or pick another channel.",
            where=where,
        )
    if error == "channel_not_found":
        return mrkdwn(
            "I can't see {where}. If it is private, invite me there first, or pick another "
            "channel.",
            where=where,
        )
    if error == "is_archived":
        return mrkdwn("{where} is archived. Pick another channel.", where=where)
    return mrkdwn("Slack refused {what} ({error}).", what=refused, error=error)


STALE_BUTTON = "That button is not valid any more."

NOT_A_LEAD = (
    "Sorry, `/mentoring-admin` is for programme leads. If you run a programme, ask a workspace "
    "admin to add you as a lead. Participants can use `/mentoring`."
)

NOT_A_CREATOR = (
    "Sorry, only the programme leads named in the bot's settings and workspace admins can "
    "create programmes. Ask one of them, or a lead of an existing programme to add you as a "
    "co-lead."
)


def not_their_programme(refused: NotTheirs, *, may_take_over: bool) -> tuple[str, list[Block]]:
    """A lead or admin asking about a programme they do not lead: who to ask instead, and for a
    workspace admin the (confirmed, audited) way to become a lead."""
    leads = join(", ", [mention(lead) for lead in refused.lead_ids]) or escape("nobody yet")
    text = mrkdwn(
        "Only the leads of “{name}” can do that. Ask them: {leads}.",
        name=refused.programme_name,
        leads=leads,
    )
    shown: list[Block] = [blocks.section(text)]
    if may_take_over:
        take_over = blocks.button(
            "Add me as a lead", Action.TAKE_OVER_PROGRAMME, str(refused.programme_id)
        )
        take_over["confirm"] = {
            "title": {"type": "plain_text", "text": "Become a lead?"},
            "text": {
                "type": "mrkdwn",
                "text": mrkdwn(
                    "As a workspace admin you can add yourself as a lead of “{name}”. Its "
                    "leads will see this in the audit log.",
                    name=refused.programme_name,
                ),
            },
            "confirm": {"type": "plain_text", "text": "Add me"},
            "deny": {"type": "plain_text", "text": "Cancel"},
        }
        shown.append(blocks.actions(take_over))
    return text, shown


def took_over(name: str) -> Mrkdwn:
    return mrkdwn(
        "You are now a lead of “{name}”. The audit log shows that you added yourself.", name=name
    )


SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side and nothing was changed. Please try again in a moment."
)


def unknown_subcommand(command: str, word: str, help_text: Mrkdwn) -> Mrkdwn:
    return mrkdwn(
        "I don't know {typed}.\n\n{help}", typed=code(f"{command} {word}"), help=help_text
    )


def programme_list(items: list[ProgrammeSummary]) -> list[Block]:
    if not items:
        return [blocks.section("No programmes yet. Create one with `/mentoring-admin new`.")]
    lines = [
        mrkdwn(
            "*{name}* – {status}; {mentors} mentors, {mentees} mentees signed "
            "up; enrolment until {deadline:%d %b %Y}, runs {starts:%d %b} – {ends:%d %b %Y}",
            name=s.name,
            status=s.status.value,
            mentors=s.mentors,
            mentees=s.mentees,
            deadline=s.enrolment_deadline,
            starts=s.starts_on,
            ends=s.ends_on,
        )
        for s in items
    ]
    # Sections are capped at 3000 characters; split long lists across blocks.
    shown: list[Block] = []
    chunk: list[Mrkdwn] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            shown.append(blocks.section(join("\n", chunk)))
            chunk = []
        chunk.append(line)
    shown.append(blocks.section(join("\n", chunk)))
    return shown[:50]


def _audit_line(s: Seen) -> Mrkdwn:
    if s.view in SPONSOR_VIEWS:
        return mrkdwn(
            "• {at:%d %b %Y %H:%M} UTC · {who} was sent {view} of {programme}: figures only, "
            "nobody named",
            at=s.at,
            who=mention(s.lead_id),
            view=s.view,
            programme=s.programme or "",
        )
    if s.view == AuditView.LEAD_ADDED:
        return mrkdwn(
            "• {at:%d %b %Y %H:%M} UTC · {who} added themselves as a lead of {programme}",
            at=s.at,
            who=mention(s.lead_id),
            programme=s.programme or "",
        )
    return mrkdwn(
        "• {at:%d %b %Y %H:%M} UTC · {who} saw {view} of {programme} ({people})",
        at=s.at,
        who=mention(s.lead_id),
        view=s.view,
        programme=s.programme or "",
        people=blocks.count(s.people, "person", "people"),
    )


def audit_log(seen: list[Seen]) -> list[Block]:
    """The latest lead views of people's data: who, when, what and how many people."""
    if not seen:
        return [blocks.section("No lead has been shown anyone's data yet.")]
    lines = [_audit_line(s) for s in seen]
    return [
        blocks.section(join("\n", lines)),
        blocks.context("The latest 20 views. What was shown is not kept here, only that it was."),
    ]
