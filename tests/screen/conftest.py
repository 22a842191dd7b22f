"""The browser tests' fixtures (tests/screen/browser.py), offered to this directory."""

from tests.screen.browser import chromium, hub

__all__ = ["chromium", "hub"]
