"""The sandbox demo plays end to end and its transcript shows each flow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox.demo.play import SCOPES, play
from tests.conftest import manifest_bot_scopes


async def test_demo_plays_set_up_enrolment_and_sign_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert await play(people=9, output=tmp_path) == 0
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
    assert "is now closed" in out  # it ran, was reviewed and closed
    # Agreements, a few weeks of sessions with actions, and the App Home.
    assert "confirms; the agreement is pinned" in out
    assert "logs the session with /mentoring checkin" in out
    assert "How useful was it for you?" in out
    assert "is done." in out
    assert "sessions held" in out
    assert "Felt a little awkward" not in out  # private notes stay private, even here
    # The ending: a story published, the review summary, the report written out, the next cohort.
    assert "shares a story, with their name" in out
    assert "reached its end date" in out
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written[0].endswith("-pairs.csv") and written[1].endswith("-trends.png")
    assert written[2] == "report.md" and "Match rate" in (tmp_path / "report.md").read_text()
    assert (tmp_path / written[1]).read_bytes()[:4] == b"\x89PNG"
    assert "the set-up form opens as “Digital Leaders 2027”" in out


def test_the_demo_grants_the_manifests_scopes() -> None:
    # The demo ships its own copy (the image has no manifests/): keep it the manifest's.
    shipped = json.loads(SCOPES.read_text(encoding="utf-8"))
    assert set(shipped) == manifest_bot_scopes(), "copy the manifest's bot scopes to " + str(SCOPES)
