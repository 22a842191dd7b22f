"""`run_simulator`: the State Grid simulator as one coroutine, for `pilehub simulate stategrid`
and `pilehub demo`.

It builds the fleet for the seed, backfills `backfill_days` of history, serves the operator
app with uvicorn and runs the pusher against the hub until `stop` is set, the server exits
(Ctrl+C) or the task is cancelled. The history ends at `history_end()`: with time compression
at local midnight `replay_days` before today, from where the live simulation replays at `speed`
until it catches up with the wall clock (clock.py says why it may never run ahead).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from datetime import timedelta
from pathlib import Path

import structlog
import uvicorn

from app.catalogue.beixinjing import demo_catalogue
from app.core.time import utc_now
from app.simulator.app import create_simulator_app
from app.simulator.behaviour import DEMO_LIVELINESS
from app.simulator.clock import SimClock, history_end
from app.simulator.credentials import (
    DEFAULT_HUB_OPERATOR_ID,
    DEMO_CREDENTIALS,
    SimulatorCredentials,
)
from app.simulator.fleet import FleetModel
from app.simulator.ledger import Ledger
from app.simulator.orders import ChargeOrder
from app.simulator.pusher import Pusher
from app.simulator.state import SimulatorState
from app.tcec.client import TcecClient

log = structlog.get_logger(__name__)


def build_state(
    *,
    seed: int = 2022,
    speed: float = 60.0,
    backfill_days: int = 30,
    replay_days: int = 0,
    ledger_path: Path | None = None,
    hub_operator_id: str = DEFAULT_HUB_OPERATOR_ID,
    credentials: SimulatorCredentials = DEMO_CREDENTIALS,
    liveliness: float = 1.0,
) -> tuple[SimulatorState, list[ChargeOrder]]:
    """The simulator's state with its history, and the backfilled orders to push.

    `liveliness` scales the demo's live incidents (`behaviour.Liveliness`); 0 keeps the live
    simulation as quiet as the history and leaves the history's end unstaged."""
    if backfill_days < 0 or replay_days < 0:
        raise ValueError("backfill_days and replay_days must not be negative")
    now = utc_now()
    origin = history_end(now, speed=speed, replay_days=replay_days)
    model = FleetModel(
        seed=seed, catalogue=demo_catalogue(seed), liveliness=DEMO_LIVELINESS.scaled(liveliness)
    )
    orders: list[ChargeOrder] = []
    window = None
    if backfill_days > 0:
        orders = model.backfill(days=backfill_days, end=origin)
        window = (origin - timedelta(days=backfill_days), origin)
    else:
        model.start(origin)
    state = SimulatorState(
        model=model,
        clock=SimClock(origin=origin, speed=speed),
        ledger=Ledger(ledger_path),
        credentials=credentials,
        hub_operator_id=hub_operator_id,
        catalogue_modified_at=now,
        history=window,
    )
    return state, orders


def _listen(host: str, port: int) -> socket.socket:
    """Bind before serving, so a busy port is an OSError here rather than uvicorn's exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


async def run_simulator(
    *,
    hub_url: str,
    port: int,
    host: str = "127.0.0.1",
    seed: int = 2022,
    speed: float = 60.0,
    backfill_days: int = 30,
    ledger_path: Path | None = None,
    stop: asyncio.Event | None = None,
    replay_days: int = 0,
    hub_operator_id: str = DEFAULT_HUB_OPERATOR_ID,
    credentials: SimulatorCredentials = DEMO_CREDENTIALS,
    liveliness: float = 1.0,
) -> None:
    """Serve the simulated State Grid platform on host:port (its T/CEC root is
    http://host:port/evcs/v1/) and push to the hub's T/CEC root `hub_url`, e.g.
    "http://127.0.0.1:8000/evcs/v1/", until `stop` is set."""
    stop = stop or asyncio.Event()
    listener = _listen(host, port)  # first, so a busy port fails before any work
    try:
        # Fast-forwarding the fleet from its epoch takes about half a second: off the loop,
        # so a hub served by the same process (`pilehub demo`) keeps answering meanwhile.
        state, orders = await asyncio.to_thread(
            build_state,
            seed=seed,
            speed=speed,
            backfill_days=backfill_days,
            replay_days=replay_days,
            ledger_path=ledger_path,
            hub_operator_id=hub_operator_id,
            credentials=credentials,
            liveliness=liveliness,
        )
    except BaseException:
        listener.close()
        raise
    server = uvicorn.Server(
        uvicorn.Config(
            create_simulator_app(state), log_config=None, access_log=False, lifespan="off"
        )
    )
    log.info(
        "simulator.start",
        url=f"http://{host}:{listener.getsockname()[1]}/evcs/v1/",
        hub=hub_url,
        seed=seed,
        speed=speed,
        liveliness=liveliness,
        sim_time=state.clock.now().isoformat(),
        history=[t.isoformat() for t in state.history] if state.history else None,
        backfilled_orders=len(orders),
    )
    try:
        async with TcecClient(
            base_url=hub_url,
            operator_id=credentials.operator_id,
            secrets=credentials.inbound.secrets,
            operator_secret=credentials.inbound.operator_secret,
            clock=state.clock.stamp,
        ) as client:
            await _serve_and_push(server, listener, Pusher(state, client), stop, orders)
    finally:
        listener.close()
        state.ledger.close()
        log.info("simulator.stop", entries=len(state.ledger), pending=len(state.pending))


async def _serve_and_push(
    server: uvicorn.Server,
    listener: socket.socket,
    pusher: Pusher,
    stop: asyncio.Event,
    orders: list[ChargeOrder],
) -> None:
    serving = asyncio.create_task(server.serve(sockets=[listener]), name="simulator-http")
    pushing = asyncio.create_task(pusher.run(stop, orders), name="simulator-push")
    stopping = asyncio.create_task(stop.wait(), name="simulator-stop")
    try:
        done, _ = await asyncio.wait(
            [serving, pushing, stopping], return_when=asyncio.FIRST_COMPLETED
        )
        for task in done:
            task.result()  # a crash of the pusher or the server is the caller's to see
    finally:
        stop.set()
        server.should_exit = True
        pushing.cancel()  # a push in flight to a hub that is down could take its deadline
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(serving, pushing, stopping, return_exceptions=True)
