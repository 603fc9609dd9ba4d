"""Links a lead types (a resource, a social's video call): what makes one usable in Slack.
Plain values; no Slack."""

from __future__ import annotations

LONGEST = 500


def link_problem(url: str) -> str | None:
    """What is wrong with a typed link, in words for the form; None when it will do."""
    if not url.startswith(("https://", "http://")):
        return "A link starts with https:// (or http://)."
    if len(url) > LONGEST:
        return f"Keep the link to {LONGEST} characters."
    if any(c.isspace() or c in "<>|" for c in url):
        # Slack would end the link there, or read the rest as its own markup.
        return "A link has no spaces and none of the characters < > |."
    return None
