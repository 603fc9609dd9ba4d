"""The kick-off and socials' form and messages stay inside Block Kit's limits at their largest,
and the event's calendar file reads back as calendars read it."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block as SdkBlock
from slack_sdk.models.views import View

from bot.models import Audience, Rsvp, SocialKind
from bot.sandbox.double.block_kit import check_message_blocks, check_view
from bot.services.socials import EventFacts, entry_of, shown_counts
from bot.views import socials as views
from bot.views.calendar import social_file
from bot.views.outbound import render
from tests.ics_check import read_back

AT = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)


def biggest(*, cancelled: bool = False, sequence: int = 0) -> EventFacts:
    return EventFacts(
        id=7,
        programme_id=3,
        programme="P" * 80,
        team_id="T0TEST",
        kind=SocialKind.CLOSING,
        title="T" * 150,
        starts_at=AT,
        minutes=480,
        place="<!here> & *" * 27 + "abc",
        link="https://example.org/" + "x" * 480,
        audience=Audience.MENTEES,
        sequence=sequence,
        cancelled=cancelled,
    )


def messages_ok(shown: list[dict]) -> None:
    assert check_message_blocks(shown) == []
    for block in shown:
        SdkBlock.parse(block).validate_json()  # type: ignore[union-attr]


def test_the_form_new_and_changing() -> None:
    for event in (None, biggest()):
        view = views.social_modal(3, "P" * 80, default_at=AT, event=event)
        assert check_view(view, allowed_types=("modal",)) == []
        View(**view).validate_json()


def test_every_message_at_its_largest() -> None:
    event = biggest()
    for kind in ("social_invite", "social_changed", "social_cancelled", "social_reminder"):
        text, shown = render(kind, event.params())
        messages_ok(shown)
        assert "<!here>" not in text + str(shown)
    for answer in Rsvp:
        messages_ok(views.answered(event, answer)[1])
    many = shown_counts(invited=10_000, going=9_000, not_going=999, minimum=5)
    for facts in (event, biggest(cancelled=True)):
        messages_ok(views.lead_message(facts, many)[1])


def test_the_calendar_file_moves_and_cancels_under_one_uid() -> None:
    made = datetime(2026, 2, 1, tzinfo=UTC)
    first = read_back(social_file(entry_of(biggest(), made)).content)
    moved = read_back(social_file(entry_of(biggest(sequence=1), made)).content)
    gone = social_file(entry_of(biggest(cancelled=True, sequence=2), made))
    off = read_back(gone.content)
    assert first.uid == moved.uid == off.uid == "social-7.t0test@reverse-mentoring"
    assert (first.sequence, moved.sequence, off.sequence) == (0, 1, 2)
    assert (first.method, off.method, off.status) == ("PUBLISH", "CANCEL", "CANCELLED")
    assert first.starts_at == AT and (first.ends_at - first.starts_at).seconds == 8 * 3600
    assert gone.filename == "social-2026-03-02-cancelled.ics"
