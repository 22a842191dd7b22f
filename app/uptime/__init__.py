"""Uptime of connectors and piles from the status history (NEVI µ, UK reliability, MTTR)."""
