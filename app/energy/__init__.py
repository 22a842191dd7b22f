"""Energy: rollups per connector, local day and time-of-use period, kept in step with charging
sessions, and the energy API over them (periods.py holds the cutting rules)."""
