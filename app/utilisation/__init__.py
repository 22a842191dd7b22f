"""Utilisation: busy, charging and available hours of connectors, from status history and
sessions (timeline.py holds the definitions)."""
