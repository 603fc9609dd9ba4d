"""Preparation tracks: a lesson in a participant's DM with its one-tap "Mark done", what is
left before the chemistry meeting, the partner's kind reminder, and the leads' counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ids import Action, keyed
from bot.services.preparation import Lesson, Marked, SideCount
from bot.services.readiness import Readiness
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, join, link, mrkdwn

DONE_LABEL = "Mark done"
# The end of a button's value when its lesson is one of several in a message.
IN_A_LIST = ":list"


def _title(title: str, url: str | None) -> Mrkdwn:
    if url:
        try:
            return mrkdwn("*{title}*", title=link(url, title))
        except ValueError:  # a link the checks of its day let through: shown, not linked
            return mrkdwn("*{title}* ({url})", title=title, url=url)
    return mrkdwn("*{title}*", title=title)


def _done_button(progress_id: object, *, in_a_list: bool = False) -> Block:
    value = f"{progress_id}{IN_A_LIST}" if in_a_list else str(progress_id)
    return blocks.button(DONE_LABEL, keyed(Action.LESSON_DONE, progress_id), value)


def _lesson_blocks(p: dict[str, Any], *, done: Mrkdwn | None) -> tuple[Mrkdwn, list[Block]]:
    """The lesson with its button, or, once `done` says so, with that in its place."""
    text = mrkdwn(
        "Preparation, lesson {number} of {of}: {title}",
        number=p["number"],
        of=p["of"],
        title=p["title"],
    )
    head = _title(p["title"], p.get("url"))
    where = mrkdwn(
        "Preparing for your first session · {programme} · lesson {number} of {of}",
        programme=p["programme"],
        number=p["number"],
        of=p["of"],
    )
    body = mrkdwn("{head}\n{body}", head=head, body=p["body"]) if p.get("body") else head
    if done:
        return text, [blocks.context(done), blocks.section(body), blocks.context(where)]
    return text, [
        blocks.context(where),
        blocks.section(body),
        blocks.actions(_done_button(p["progress_id"])),
    ]


def lesson(p: dict[str, Any]) -> tuple[Mrkdwn, list[Block]]:
    """A lesson as it arrives in the person's DM."""
    return _lesson_blocks(p, done=None)


def lesson_marked(marked: Marked) -> tuple[Mrkdwn, list[Block]]:
    """The lesson's message once its reader marked it done, with what is left of the track."""
    le = marked.lesson
    params = {
        "programme": marked.programme,
        "number": le.number,
        "of": le.of,
        "title": le.title,
        "url": le.url,
        "body": le.body,
    }
    return _lesson_blocks(params, done=mrkdwn("✅ Done, thank you! {left}", left=_left(marked)))


def _left(marked: Marked) -> Mrkdwn:
    if marked.left:
        return mrkdwn("{left} of your preparation to go.", left=blocks.count(marked.left, "lesson"))
    return mrkdwn("That was the last one: your preparation is finished.")


def marked_line(marked: Marked) -> Mrkdwn:
    """A lesson marked done from a list of several."""
    return mrkdwn("✅ “{title}” is done. {left}", title=marked.lesson.title, left=_left(marked))


def _left_blocks(lessons: Sequence[dict[str, Any]]) -> list[Block]:
    """Each lesson left, with its button (at most ten, well inside a message's blocks)."""
    shown: list[Block] = []
    for le in lessons[:10]:
        head = _title(le["title"], le.get("url"))
        text = mrkdwn("{head}\n{body}", head=head, body=le["body"]) if le.get("body") else head
        button = _done_button(le["progress_id"], in_a_list=True)
        shown.append(blocks.section(text, accessory=button))
    return shown


def _as_params(lessons: Sequence[Lesson]) -> list[dict[str, Any]]:
    return [
        {"progress_id": le.progress_id, "title": le.title, "url": le.url, "body": le.body}
        for le in lessons
    ]


def waiting_reply(ready: Readiness) -> tuple[Mrkdwn, list[Block]]:
    """To the one asking for the chemistry meeting while it waits for preparation: kindly, what
    is left for them, and that their partner has been reminded."""
    if ready.left:
        text = mrkdwn(
            "{programme} asks you both to finish your preparation before the chemistry "
            "meeting. {left} to go for you: here they are, each a few minutes' read.",
            programme=ready.programme,
            left=blocks.count(ready.left, "lesson"),
        )
    else:
        text = mrkdwn(
            "Thank you for finishing your preparation! {programme} asks you both to finish "
            "before the chemistry meeting, and {partner} has a little left.",
            programme=ready.programme,
            partner=ready.partner_name,
        )
    shown = [blocks.section(text), *_left_blocks(_as_params(ready.lessons))]
    if ready.partner_left:
        shown.append(
            blocks.context(
                mrkdwn(
                    "{partner} has a friendly reminder. Press the button again once you are "
                    "both done.",
                    partner=ready.partner_name,
                )
                if ready.reminded
                else mrkdwn(
                    "{partner} was reminded today. Press the button again once you are both done.",
                    partner=ready.partner_name,
                )
            )
        )
    else:
        shown.append(blocks.context("Press the button again once you are done."))
    return text, shown


def preparation_reminder(p: dict[str, Any]) -> tuple[Mrkdwn, list[Block]]:
    """To the partner the other is waiting for: no hurry, here is what is left."""
    text = mrkdwn(
        "{partner} would like to arrange your chemistry meeting. {programme} asks you both to "
        "finish your preparation first: {left} left for you, each a few minutes' read.",
        partner=p["partner"],
        programme=p["programme"],
        left=blocks.count(len(p["lessons"]), "lesson"),
    )
    return text, [
        blocks.section(text),
        *_left_blocks(p["lessons"]),
        blocks.context("Once you have both finished, either of you can propose times."),
    ]


def recommend_note(ready: Readiness) -> Mrkdwn | None:
    """The chemistry form's gentle word while preparation is only recommended."""
    if not ready.left:
        return None
    return mrkdwn(
        "Recommended before you meet: {left} of your preparation (in your DM with the app).",
        left=blocks.count(ready.left, "lesson"),
    )


def completion_line(counts: Sequence[SideCount]) -> Mrkdwn:
    """'Preparation finished: mentors 7 of 10, mentees 3 of 8': counts only, never names, and
    none for a side too small to count without pointing at someone."""
    parts = [
        mrkdwn("{side} {finished} of {people}", side=c.side, finished=c.finished, people=c.people)
        if c.shown
        else mrkdwn("{side}: too few to show", side=c.side)
        for c in counts
    ]
    return mrkdwn("Preparation finished: {parts}", parts=join(", ", parts))
