"""Building a simulator state for tests, and talking to its app like the hub does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from app.simulator.app import create_simulator_app
from app.simulator.clock import SimClock
from app.simulator.credentials import DEFAULT_HUB_OPERATOR_ID, DEMO_CREDENTIALS
from app.simulator.fleet import FleetModel
from app.simulator.state import SimulatorState
from app.tcec.client import ClientLimits, TcecClient
from app.tcec.envelope import format_timestamp, open_response, seal_request

SIM_URL = "http://stategrid.test/evcs/v1/"
HUB = DEFAULT_HUB_OPERATOR_ID
OUTBOUND = DEMO_CREDENTIALS.outbound
FAST = ClientLimits(attempts=1, deadline=5.0, backoff_initial=0, backoff_jitter=0)


def make_state(model: FleetModel, *, wall: Callable[[], datetime] | None = None) -> SimulatorState:
    """The state around a started model, its clock frozen at the model's now."""
    frozen = model.now
    clock = SimClock(origin=frozen, speed=1.0, wall=wall or (lambda: frozen))
    return SimulatorState(model=model, clock=clock, catalogue_modified_at=frozen)


def hub_client(state: SimulatorState, **kwargs: Any) -> TcecClient:
    """What the hub's puller uses, over ASGI straight into the simulator's app."""
    return TcecClient(
        base_url=SIM_URL,
        operator_id=HUB,
        secrets=OUTBOUND.secrets,
        operator_secret=kwargs.pop("operator_secret", OUTBOUND.operator_secret),
        transport=httpx.ASGITransport(app=create_simulator_app(state)),
        limits=FAST,
        clock=lambda: state.clock.now(),
        **kwargs,
    )


class RawHub:
    """The hub's side built on the codec alone, for requests the client would never send."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_simulator_app(state)),
            base_url=SIM_URL,
        )
        self.seq = 0

    def envelope(self, payload: Any, *, operator_id: str = HUB) -> dict[str, str]:
        self.seq += 1
        return seal_request(
            operator_id,
            payload,
            OUTBOUND.secrets,
            timestamp=format_timestamp(self.state.clock.now()),
            seq=f"{self.seq:04d}",
        )

    async def post(self, interface: str, body: Any, token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(interface, json=body, headers=headers)
        assert response.status_code == 200
        answer: dict[str, Any] = response.json()
        return answer

    async def call(
        self, interface: str, payload: Any, token: str | None = None
    ) -> tuple[int, str, Any]:
        answer = await self.post(interface, self.envelope(payload), token)
        return open_response(answer, OUTBOUND.secrets)

    async def login(self) -> str:
        ret, _, data = await self.call(
            "query_token", {"OperatorID": HUB, "OperatorSecret": OUTBOUND.operator_secret}
        )
        assert ret == 0
        assert data["SuccStat"] == 0
        return str(data["AccessToken"])

    async def aclose(self) -> None:
        await self.http.aclose()
