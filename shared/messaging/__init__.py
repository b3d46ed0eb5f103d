"""Reliable messaging: unit of work with outbox and inbox, relay, consumer, dead letters."""
