"""The sandbox demo plays end to end and its transcript shows each flow."""

from __future__ import annotations

import pytest

from bot.demo.play import play


async def test_demo_plays_set_up_enrolment_and_sign_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert await play(people=9) == 0
    out = capsys.readouterr().out
    assert "is for programme leads" in out  # a non-lead is refused
    assert "The end date must be after the start date." in out  # field errors shown
    assert "is created as a draft" in out
    assert "Slack refused chat.postMessage: channel_not_found" in out
    assert "#general (message): :sparkles: *Enrolment is open" in out
    assert "Pick your line manager, not yourself." in out
    assert "You've left" in out
    assert "mentors withdrawn: 1" in out
    # Matching, introductions and chemistry meetings, one "not for me", and a re-match.
    assert "Matching preview: Digital Leaders 2026" in out
    assert "forbids the weakest pair" in out
    assert "group DM with" in out and "[Request chemistry meeting]" in out
    assert "(posted on schedule): How was your chemistry meeting" in out
    assert "your reverse mentoring pair is confirmed" in out
    assert "this pairing won't go ahead" in out and "Their reason:" in out
    assert "types /mentoring-admin rematch" in out
    assert "dissolved 1" in out
    assert "is now running" in out
    # Agreements, a few weeks of sessions with actions, and the App Home.
    assert "confirms; the agreement is pinned" in out
    assert "logs the session with /mentoring checkin" in out
    assert "How useful was it for you?" in out
    assert "is done." in out
    assert "sessions held" in out
    assert "Felt a little awkward" not in out  # private notes stay private, even here
