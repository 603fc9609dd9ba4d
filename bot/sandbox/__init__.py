"""The sandbox: a Slack double, a signer that plays Slack sending requests, the real app wired
to both on loopback, and the demo. Production modules never import it (a test checks); only
the CLI's `demo` command does, inside the function that runs it."""

from bot.sandbox.box import Sandbox

__all__ = ["Sandbox"]
