"""Transitional: the process context moved to `app.context` (issue 16). This re-export
remains only for `app/events/router.py`, which is being restructured on another branch;
once it imports `app.context`, delete this module (import-linter will then flag the unmatched
`ignore_imports` line of the "core knows no domain" contract, which goes with it)."""

from app.context import AppContext

__all__ = ["AppContext"]
