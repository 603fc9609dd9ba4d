"""The participant's support buttons on the App Home: raise a concern, pause the pair, ask for
a new partner, leave. Each does what its `/mentoring` word does."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.flows.access import like_its_word
from bot.flows.concerns import start_concern
from bot.flows.participation import start_leave
from bot.flows.pauses import start_pause
from bot.flows.rematch import start_rematch
from bot.ids import Action


def register(app: AsyncApp) -> None:
    like_its_word(app.action(Action.RAISE_CONCERN), start_concern)
    like_its_word(app.action(Action.HOME_PAUSE), start_pause)
    like_its_word(app.action(Action.HOME_REMATCH), start_rematch)
    like_its_word(app.action(Action.HOME_LEAVE), start_leave)
