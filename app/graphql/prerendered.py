"""Subscription `next` messages rendered once per event and selection, then sent as they are.

Strawberry executes every event for every subscriber (collect the fields, complete each
value, run the extension hooks, json.dumps, ~140 µs a message), so 1,000 dashboards on one
street cost 1,000 executions of the same event. A selection of plain fields of the event
(no fragments, directives or arguments: what dashboards send) depends on nothing but the
event, so its answer is rendered once per process (orjson) and every subscriber with that
selection gets the same bytes, inside its own operation id. Any other selection is still
executed by strawberry, per subscriber, as before.

Only the serialization is shared. Which events a subscriber gets (its area, since-resume,
its token's lifetime) is decided by its own stream, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types.nodes import SelectedField

from app.graphql.context import GraphQLInfo

# (response key, field name) of each selected field, in the order of the document.
Fields = tuple[tuple[str, str], ...]
_RENDERED = 4096  # answers kept: a few seconds of events for a handful of selections


@dataclass(frozen=True, slots=True)
class Outlet:
    """Where one operation's messages go: set by the WebSocket handler for the task that
    runs the operation, read by the subscription's resolver."""

    operation_id: str
    websocket: WebSocket
    answers: Answers


OUTLET: ContextVar[Outlet | None] = ContextVar("graphql_outlet", default=None)


class Answers:
    """Rendered answers by (event id, selection), one per app: ids are per database."""

    def __init__(self, limit: int = _RENDERED) -> None:
        self._limit = limit
        self._rendered: dict[tuple[int, Fields], bytes] = {}

    def get(self, event_id: int, fields: Fields, render: Callable[[], dict[str, Any]]) -> bytes:
        key = (event_id, fields)
        answer = self._rendered.get(key)
        if answer is None:
            answer = self._rendered[key] = _dumps(render())
            if len(self._rendered) > self._limit:  # oldest first: dicts keep insertion order
                del self._rendered[next(iter(self._rendered))]
        return answer

    def selections(self, event_id: int) -> list[Fields]:
        """The selections this event was rendered for (what took this path, for tests)."""
        return [fields for (rendered, fields) in self._rendered if rendered == event_id]


class Sender:
    """Sends one operation's `next` messages from answers rendered once per event; the same
    message strawberry would send (`{"id", "type": "next", "payload": {"data": ...}}`)."""

    def __init__(self, outlet: Outlet, root_key: str, fields: Fields) -> None:
        self._outlet, self._fields = outlet, fields
        self._head = b'{"id":%s,"type":"next","payload":{"data":{%s:' % (
            _dumps(outlet.operation_id),
            _dumps(root_key),
        )

    async def send(self, event_id: int, values: Callable[[], Mapping[str, Any]]) -> None:
        """`values`: the event's value of every field it has, by field name (called only
        when this selection of this event was not rendered yet)."""
        answer = self._outlet.answers.get(event_id, self._fields, lambda: self._pick(values()))
        try:
            await self._outlet.websocket.send_text((self._head + answer + b"}}}").decode())
        except WebSocketDisconnect as error:  # as strawberry's own sends report it
            raise WebSocketDisconnected from error

    def _pick(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {key: values[name] for key, name in self._fields}


def sender_for(info: GraphQLInfo, fields: frozenset[str]) -> Sender | None:
    """A Sender if this operation runs over our WebSocket handler and selects only plain
    fields among `fields` (by GraphQL name); None means: let strawberry execute each event."""
    outlet = OUTLET.get()
    if outlet is None:
        return None
    selected = info.selected_fields
    if len(selected) != 1 or not isinstance(root := selected[0], SelectedField):
        return None
    if root.directives:
        return None
    chosen: list[tuple[str, str]] = []
    for field in root.selections:
        if not isinstance(field, SelectedField) or field.name not in fields:
            return None  # a fragment, or a field strawberry must resolve
        if field.directives or field.arguments or field.selections:
            return None
        chosen.append((field.alias or field.name, field.name))
    return Sender(outlet, root.alias or root.name, tuple(chosen))


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # what orjson refuses (an integer over 64 bits) the json module takes
        return json.dumps(value).encode()
