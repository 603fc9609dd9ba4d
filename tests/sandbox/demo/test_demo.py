"""The sandbox demo plays end to end and its transcript shows each flow, as one story: each
scene told once, each message under the event that caused it."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from bot.sandbox.demo.play import SCOPES, play
from tests.conftest import manifest_bot_scopes


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo's transcript and the folder it wrote the report to; played once for the module."""
    folder = tmp_path_factory.mktemp("demo-output")
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert asyncio.run(play(people=9, output=folder)) == 0
    return printed.getvalue(), folder


def scenes(out: str) -> list[list[str]]:
    """The transcript as scenes: what someone did (or what happened), then what it caused."""
    return [chunk.strip("\n").splitlines() for chunk in out.split("\n\n") if chunk.strip()]


def test_demo_plays_set_up_enrolment_and_sign_up(played: tuple[str, Path]) -> None:
    out, folder = played
    assert "is for programme leads" in out  # a non-lead is refused
    assert "The end date must be after the start date." in out  # field errors shown
    assert "is created as a draft" in out
    assert "Slack refused chat.postMessage: channel_not_found" in out
    assert (
        "a deliberate mistake" in out
        and "channel_not_found in the private channel, on purpose" in out
    )
    assert "#general (message): :sparkles: *Enrolment is open" in out
    assert "Pick your line manager, not yourself." in out
    assert "You've left" in out
    assert "mentors withdrawn: 1" in out
    # The first lesson of a newcomer's preparation track, marked done with one tap.
    assert "Preparing for your first session · Digital Leaders 2026 · lesson 1 of 4" in out
    assert "[Mark done]" in out and "reads it and taps Mark done" in out
    assert "✅ Done, thank you! 3 lessons of your preparation to go." in out
    # One mentee chooses a mentor, who accepts; the lead's matching keeps the pair.
    assert "3 mentees are now choosing their mentors" in out
    assert "*Choose your mentor for Digital Leaders 2026.*" in out
    assert "clicks See my suggestions" in out and "Your suggested mentors" in out
    assert "would like you as their reverse mentor" in out and "[Accept] [Decline]" in out
    assert "accepted your request in *Digital Leaders 2026*!" in out
    assert "Choosing is closed in “Digital Leaders 2026”: 1 agreed pair pinned" in out
    assert "the preview keeps the pair a mentee chose:" in out and "📌 pinned" in out
    # Matching, introductions and chemistry meetings, one "not for me", and a re-match.
    assert "Matching preview: Digital Leaders 2026" in out
    assert "forbids the weakest pair" in out
    assert "group DM with" in out and "[Request chemistry meeting]" in out
    assert "(posted on schedule): How was your chemistry meeting" in out
    # One pair in far-apart zones ticks times that suit both, and gets a calendar file.
    [ticks] = re.findall(r"ticks two times that suit both \((\S+) and (\S+)\)", out)
    assert ticks[0] != ticks[1] and out.count("    offered: ☐ ") == 4
    assert "(file): 🗓️ Chemistry meeting, <!date^" in out
    [ics_line] = [line for line in out.splitlines() if ".ics: METHOD:PUBLISH" in line]
    assert "· SEQUENCE:0" in ics_line and all(zone in ics_line for zone in ticks)
    assert "your reverse mentoring pair is confirmed" in out
    assert "this pairing won't go ahead" in out and "Their reason:" in out
    assert "types /mentoring-admin rematch" in out
    assert "dissolved 1" in out
    assert "is now closed" in out  # it ran, was reviewed and closed
    # The kick-off: invitations, answers, a calendar file for those going, counts, a reminder.
    assert "announces the kick-off to everyone" in out
    assert "You're invited: Programme kick-off for Digital Leaders 2026" in out
    assert "[Going] [Not going]" in out
    assert "(file): 🗓️ Programme kick-off, <!date^" in out
    assert re.search(r"\*\d+ going\* · \d+ not going · \d+ no answer", out)
    assert "See you there: Programme kick-off is coming up." in out
    # Agreements, a few weeks of sessions with actions, and the App Home.
    assert "confirms; the agreement is pinned" in out
    assert "logs the session with /mentoring checkin" in out
    assert "How useful was it for you?" in out
    assert "is done." in out
    # The first pair's mentee did most of the teaching two sessions running: one private word
    # each, in their own DM.
    assert "Who did most of the teaching in your session of" in out
    assert out.count("(message): *A coaching tip for your sessions with") == 1
    assert out.count("(message): *A reminder of the roles in your sessions with") == 1
    assert "sessions held" in out
    assert "Felt a little awkward" not in out  # private notes stay private, even here
    # The ending: a story published, the review summary, the report written out, the next cohort.
    assert "shares a story, with their name" in out
    assert "reached its end date" in out
    written = sorted(p.name for p in folder.iterdir())
    assert written[0].endswith("-pairs.csv") and written[1].endswith("-retention.csv")
    assert written[2].endswith("-trends.png") and written[3] == "report.md"
    report = (folder / "report.md").read_text()
    assert "Match rate" in report and "• At the end (" in report  # retention, from the end
    assert "*Drifting back to the hierarchy:*" in report
    assert (folder / written[2]).read_bytes()[:4] == b"\x89PNG"
    # The executive sponsor: a monthly digest of figures, nobody named; asking for more.
    assert "your monthly digest as its executive sponsor." in out
    assert "*Sessions:* " in out and "[Ask the leads for more]" in out
    assert "Sasha Grant (COO) chooses Ask the leads for more" in out
    assert "the executive sponsor of Digital Leaders 2026, would like to hear more" in out
    assert "has closed: its final figures, for you as its executive sponsor." in out
    assert "the set-up form opens as “Digital Leaders 2027”" in out
    assert "(real time on this machine" in out  # acknowledgements are timed for real


def test_the_demo_tells_each_scene_once(played: tuple[str, Path]) -> None:
    out, _ = played
    assert "updated your session" not in out  # nobody logs the same session twice
    # Nothing a person was shown (a message, a reply only they see) is told twice.
    shown = [
        line.strip()
        for line in out.splitlines()
        if line.startswith("    ") and not line.endswith("App Home is refreshed")
        if not line.strip().startswith("a form opens")
    ]
    assert [line for line, n in Counter(shown).items() if n > 1] == []
    # Each nudge reaches each person once, and is told once.
    nudged = Counter(re.findall(r"DM to (\w+)\b.*since you and", out))
    assert nudged and set(nudged.values()) == {1}, nudged


def test_the_demo_tells_messages_under_what_caused_them(played: tuple[str, Path]) -> None:
    out, _ = played
    told = scenes(out)
    by_header = {scene[0]: scene[1:] for scene in told}
    quiet = [h for h in by_header if h.startswith("… ") and "have gone quiet" in h]
    assert len(quiet) == 2, quiet  # one pair comes back, one stays silent
    for header in quiet:
        assert by_header[header] and all("since you and" in line for line in by_header[header])
    # What people do about a nudge or an alert shows what they caused, not the nudge again.
    [back] = [h for h in by_header if h.endswith("and books the next session")]
    assert not any("since you and" in line for line in by_header[back])
    assert any("Next session:" in line for line in by_header[back])
    [alert] = [h for h in by_header if h.endswith("the scheduler alerts the lead")]
    assert "have not logged a session" in by_header[alert][0]
    [pause] = [h for h in by_header if h.endswith("pauses the pair from the alert")]
    assert not any("have not logged a session" in line for line in by_header[pause])
    assert any("is paused by the programme lead" in line for line in by_header[pause])
    # The scenes go forward in time.
    days = [h[2:12] for h in by_header if h.startswith(("… 2026-", "… 2027-"))]
    assert days and days == sorted(days)


def test_the_demo_grants_the_manifests_scopes() -> None:
    # The demo ships its own copy (the image has no manifests/): keep it the manifest's.
    shipped = json.loads(SCOPES.read_text(encoding="utf-8"))
    assert set(shipped) == manifest_bot_scopes(), "copy the manifest's bot scopes to " + str(SCOPES)
