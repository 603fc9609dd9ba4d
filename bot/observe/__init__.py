"""Operating the bot: metrics, readiness and structured logs."""
