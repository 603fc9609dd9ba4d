"""The app reaches Slack over a few kept-alive connections: every Web API client of a process
(a request's, the one publishing Homes at once, the scheduler's sender's) calls over one
pooled HTTP session, rather than opening a connection (and against Slack, a TLS handshake)
for each call and closing it after."""

from __future__ import annotations

from bot.sandbox import Sandbox
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import create_programme, open_enrolment, submit_signup

PEOPLE = [MENTOR, MENTOR2, EXEC, OUTSIDER]


async def test_sign_ups_and_what_they_queue_reach_slack_over_kept_alive_connections(
    sandbox: Sandbox,
) -> None:
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, GENERAL)
    sandbox.double.clear_calls()
    for user in PEOPLE:  # one after the other, as people come
        await submit_signup(sandbox, user)
    signing_up = list(sandbox.double.calls)
    # The form, the profile, the welcome, the Home (published at once) and the invitation.
    assert {c.method for c in signing_up} >= {"users.info", "chat.postMessage", "views.publish"}
    assert len(signing_up) >= 4 * len(PEOPLE)
    (connection,) = {c.connection for c in signing_up}
    assert connection is not None

    sandbox.double.clear_calls()
    assert (await sandbox.run_job("deliver")).startswith(f"deliver: {len(PEOPLE)} sent")
    # The scheduler's sender sends them at once, so over several connections; one is the
    # connection the sign-ups left open.
    assert connection in {c.connection for c in sandbox.double.calls}
