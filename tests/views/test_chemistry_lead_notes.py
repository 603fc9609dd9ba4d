"""The lead's notes about a pairing that won't go on name both people, the programme, and the
command that matches them again, with the programme's name escaped where it is shown."""

from __future__ import annotations

from bot.models import PairStatus, Role
from bot.services.pairs import Member, PairFacts
from bot.views import chemistry

MENTOR = Member(1, "U0MENTOR", "Ann", Role.MENTOR, None, "Sales", (), "")
MENTEE = Member(2, "U0MENTEE", "Bo", Role.MENTEE, None, "Data", (), "")
PAIR = PairFacts(
    3, 4, "Spring *1*", PairStatus.INTRODUCED, MENTOR, MENTEE, 1.0, "", None, None, None
)
NAMES_THE_PAIR = (
    "<@U0MENTOR> (mentor) and <@U0MENTEE> (mentee) in “Spring ∗1∗”",
    "`/mentoring-admin rematch Spring *1*`",
)


def test_a_not_for_me_names_the_pair_the_decider_and_the_reason() -> None:
    note = chemistry.lead_dissolved(PAIR, MENTEE, "no <@U1> time")
    assert all(words in note for words in NAMES_THE_PAIR)
    assert "<@U0MENTEE> said “not for me”. Their reason: “no &lt;@U1&gt; time”" in note


def test_a_no_fault_re_match_names_the_pair_and_who_asked() -> None:
    note = chemistry.lead_no_fault(PAIR, MENTOR)
    assert note.startswith("<@U0MENTOR> asked for a no-fault re-match, so the pairing of ")
    assert all(words in note for words in NAMES_THE_PAIR)
