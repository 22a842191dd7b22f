"""The Beixinjing demo catalogue as pure data: the report's facts (beixinjing.yaml, package
data) and the deterministic synthetic stations, piles and connectors built from them.

A low package: it imports only `app.core` and `app.geo` (pure functions), so the demo seeding
(`app.demo.seed`, which turns it into registry records) and the State Grid simulator (which
serves it over T/CEC 102) read the same catalogue without depending on each other or on the
registry.

    beixinjing.py    typed facts, `Facts.load()`, and `demo_catalogue(seed)`
    beixinjing.yaml  the facts from the report, and what is synthetic (labelled so)
"""
