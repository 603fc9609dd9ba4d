"""What every service raises when its rules refuse a request: the message is for the person."""

from __future__ import annotations


class Refused(Exception):
    """The rules refuse what someone asked; `str(error)` says why, in words for them."""
