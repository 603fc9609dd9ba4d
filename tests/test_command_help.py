"""Each slash command's help lists exactly the words its listener answers, in one place each."""

from __future__ import annotations

from bot.listeners.admin import ADMIN_WORDS
from bot.listeners.participant import PARTICIPANT_WORDS
from bot.views.admin import ADMIN_HELP, PARTICIPANT_HELP, words_of
from bot.views.admin import ADMIN_WORDS as ADMIN_COPY
from bot.views.admin import PARTICIPANT_WORDS as PARTICIPANT_COPY


def test_the_lead_help_lists_every_admin_word_and_no_other() -> None:
    assert words_of(ADMIN_COPY) == list(ADMIN_WORDS)
    for word in ADMIN_WORDS:
        assert f"• `{word}" in ADMIN_HELP


def test_the_participant_help_lists_every_word_and_no_other() -> None:
    assert words_of(PARTICIPANT_COPY) == list(PARTICIPANT_WORDS)
    for word in PARTICIPANT_WORDS:
        assert f"• `{word}`" in PARTICIPANT_HELP
