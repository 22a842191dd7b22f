"""Synthetic city-scale data for benchmarks: `pilehub generate city` (plan.py is pure,
loader.py writes through the real services)."""
