"""The process-wide objects a request may need (caches, the status batcher, the token
verifier...), one typed slot each on `app.state`.

Each domain declares the slot of what it owns next to that object's class, and its routes read
it from there; the composition root (`app.context`) builds the objects and installs them. So
no domain imports the root, and the root is the only module that knows them all. Reading a
slot is an attribute lookup: hot routes call `of(request)` instead of adding a dependency
node (a few microseconds each, on every request).
"""

from __future__ import annotations

from typing import Generic, TypeVar, cast

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

T = TypeVar("T")


class ProcessPart(Generic[T]):
    """The slot `app.state.<name>` holding one process-wide `T`."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def of(self, connection: HTTPConnection) -> T:
        return cast(T, getattr(connection.app.state, self.name))

    def install(self, app: Starlette, value: T) -> None:
        """Put `value` in the slot (the composition root does, before the app serves)."""
        setattr(app.state, self.name, value)

    async def dependency(self, connection: HTTPConnection) -> T:
        """The slot as a FastAPI dependency (async: plain `def` ones run in a thread pool)."""
        return self.of(connection)

    def __repr__(self) -> str:
        return f"ProcessPart({self.name!r})"
