"""The mrkdwn helpers: what person-typed text becomes, how pieces compose, and the guard."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.views.blocks import clip, context, header, plain, section
from bot.views.mrkdwn import (
    Mrkdwn,
    channel,
    code,
    escape,
    guard,
    join,
    link,
    mention,
    mrkdwn,
)

NASTY = "<!channel> <@U1> & *b* _i_ ~s~ `c`"


def test_escape_makes_sequences_and_formatting_inert() -> None:
    escaped = escape(NASTY)
    assert isinstance(escaped, Mrkdwn)
    assert escaped == "&lt;!channel&gt; &lt;@U1&gt; &amp; ∗b∗ ˍiˍ ∼s∼ ˋcˋ"
    assert escape(escaped) is escaped  # already safe: never escaped twice
    assert escape(None) == "" and escape(3) == "3"


@given(st.text())
def test_escaped_text_has_no_live_character_and_keeps_its_length_of_words(text: str) -> None:
    escaped = escape(text)
    assert not set("<>*_~`") & set(escaped)
    # Undone in the reverse order: "&amp;gt;" is a typed "&gt;", not a typed ">".
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").translate(
        str.maketrans("∗ˍ∼ˋ", "*_~`")
    ) == text.translate(str.maketrans("∗ˍ∼ˋ", "*_~`"))


def test_a_template_is_trusted_and_its_values_are_escaped() -> None:
    text = mrkdwn(
        "*{who}* wrote “{title}” on {day:%d %b} ({share:.0%})",
        who=mention("U1"),
        title=NASTY,
        day=date(2026, 1, 5),
        share=0.5,
    )
    assert isinstance(text, Mrkdwn)
    assert text == f"*<@U1>* wrote “{escape(NASTY)}” on 05 Jan (50%)"
    assert mrkdwn("{0} and {1}", "a*", mention("U2")) == "a∗ and <@U2>"


def test_join_and_plus_keep_the_type_and_escape_plain_parts() -> None:
    joined = join(", ", [mention("U1"), "<!here>", 7])
    assert isinstance(joined, Mrkdwn) and joined == "<@U1>, &lt;!here&gt;, 7"
    added = mention("U1") + " *and* " + channel("C1")
    assert isinstance(added, Mrkdwn) and added == "<@U1> ∗and∗ <#C1>"
    before = "<!here> " + mention("U1")
    assert isinstance(before, Mrkdwn) and before == "&lt;!here&gt; <@U1>"
    assert isinstance(mention("U1")[1:], Mrkdwn)


def test_ids_are_checked_before_they_become_sequences() -> None:
    assert mention("U0ABC") == "<@U0ABC>" and channel("C0ABC") == "<#C0ABC>"
    for bad in ("U1>hi", "u1", "", "U1|x", "C1 <!here>"):
        with pytest.raises(ValueError):
            mention(bad)
        with pytest.raises(ValueError):
            channel(bad)


def test_a_link_needs_a_web_address_and_its_label_is_escaped() -> None:
    assert link("https://example.org/a?b=1", "Guide | *new*") == (
        "<https://example.org/a?b=1|Guide ¦ ∗new∗>"
    )
    for bad in ("javascript:alert(1)", "ftp://x", "https://x|y", "https://x>y", "https://a b"):
        with pytest.raises(ValueError):
            link(bad, "label")


def test_a_code_span_keeps_the_words_and_cannot_be_closed_early() -> None:
    assert code("/mentoring-admin report Spring_2026 *A*") == (
        "`/mentoring-admin report Spring_2026 *A*`"
    )
    assert code("a`b <!here> &") == "`aˋb &lt;!here&gt; &amp;`"


def test_a_date_reads_in_each_readers_zone_with_a_utc_fallback() -> None:
    from bot.views.mrkdwn import date as slack_date

    at = datetime(2026, 1, 8, 15, tzinfo=UTC)
    assert slack_date(at) == (
        f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|Thu 08 Jan 2026 15:00 UTC>"
    )


def test_clip_keeps_mrkdwn_and_never_cuts_a_sequence_in_half() -> None:
    text = mrkdwn("{a} {b}", a="x" * 10, b=mention("U12345"))
    assert isinstance(clip(text, 14), Mrkdwn)
    assert clip(text, 14) == "x" * 10 + " …"  # not "<@U1…"
    entity = escape("x" * 10 + "&")
    assert clip(entity, 13) == "x" * 10 + "…"  # not "&am…"
    assert clip("plain words", 5) == "plai…" and not isinstance(clip("plain", 3), Mrkdwn)


def test_plain_text_takes_the_raw_words() -> None:
    assert header("Q&A <b>")["text"]["text"] == "Q&A <b>"
    with pytest.raises(TypeError):
        plain(escape("Q&A"))


def test_the_guard_makes_plain_strings_inert_and_leaves_mrkdwn_alone() -> None:
    safe = mrkdwn("{who} said hi", who=mention("U1"))
    payload = {
        "channel": "U1",
        "text": "<!channel> &amp; & <@U1>",
        "initial_comment": "<!here>",
        "blocks": [section(safe), context("<!here>"), {"type": "header", "text": plain("<b>")}],
        "view": {"type": "modal", "blocks": [section("<@U2> x")]},
        "attachments": [{"text": "<!everyone>", "blocks": [section(safe)], "color": "#fff"}],
    }
    guarded = guard(payload)
    assert guarded["text"] == "&lt;!channel&gt; &amp; &amp; &lt;@U1&gt;"
    assert guarded["initial_comment"] == "&lt;!here&gt;"
    assert guarded["blocks"][0]["text"]["text"] == "<@U1> said hi"
    assert guarded["blocks"][1]["elements"][0]["text"] == "&lt;!here&gt;"
    assert guarded["blocks"][2]["text"]["text"] == "<b>"  # plain_text is shown as it is
    assert guarded["view"]["blocks"][0]["text"]["text"] == "&lt;@U2&gt; x"
    assert guarded["attachments"][0]["text"] == "&lt;!everyone&gt;"
    assert guarded["attachments"][0]["blocks"][0]["text"]["text"] == "<@U1> said hi"
    assert guarded["channel"] == "U1" and payload["text"] == "<!channel> &amp; & <@U1>"
