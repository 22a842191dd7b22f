"""Benchmark fault-to-notification latency end to end over loopback HTTP.

An operator (this process, speaking T/CEC 102 like the simulator: sealed, signed pushes with
its AccessToken) pushes `--rate` status changes a second for `--seconds` to the hub (the real
app under uvicorn in a spawned process), each a connector of a different pile turning faulted
or back to idle, so every push changes a board colour and opens or resolves an alert. The
hub's worker (a second spawned process, as `pilehub worker`) delivers the `connector.status`
events to a webhook receiver (this process, uvicorn on loopback; signatures verified with the
standardwebhooks library), and an SSE client (this process) follows `/v1/events`.

Latency is from the moment this process sent a push to the moment its event reached the
receiver, and the SSE client; each event is matched to its push by (ConnectorID, TimeStamp).
A push whose event never arrives (within `--grace` seconds after the last push) counts as lost.

    python -m bench.alert_latency [--database-url URL] [--piles 1000] [--rate 50]
                                  [--seconds 20] [--grace 10]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import time
from datetime import timedelta
from typing import Any

import httpx
import orjson
import uvicorn
from pydantic import SecretStr
from standardwebhooks import Webhook
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from app.core.config import Settings
from app.core.db import Database
from app.core.logging import configure_logging
from app.core.time import utc_now
from app.main import create_app
from app.tcec.envelope import format_timestamp, open_response, seal_request
from app.tcec.ret import Ret
from app.worker import run_worker
from bench.common import STREET, UNLIMITED, postgres_url, register, seed, start
from bench.common import environment as bench_environment
from bench.ingest import CONTENT_TYPE, PUSH_PATH, PUSH_SECRETS, SECRET_KEY, login, onboard
from bench.ingest import _json as sealed_json

TARGETS = {"webhook": 250.0, "sse": 100.0}  # p99, ms


def hub_settings(url: str) -> Settings:
    # The bench's operator only pushes (its base URL does not exist): no pulls from it.
    return Settings(
        database_url=url, access_log=False, log_level="WARNING", secret_key=SecretStr(SECRET_KEY),
        token_rate=UNLIMITED, api_rate=UNLIMITED, ingest_start_delay=timedelta(days=1),
        webhooks={"allowed_networks": ["127.0.0.0/8"]},
    )  # fmt: skip


def serve(port: int, url: str) -> None:
    """Child process: the API."""
    settings = hub_settings(url)
    configure_logging(level=settings.log_level)
    app = create_app(settings, database=Database(url))
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def work(url: str) -> None:
    """Child process: the worker (webhook dispatcher, colour sweep), as `pilehub worker`."""
    settings = hub_settings(url)
    configure_logging(level=settings.log_level)

    async def main() -> None:
        database = Database(url)
        try:
            await run_worker(database, settings, asyncio.Event())
        finally:
            await database.dispose()

    asyncio.run(main())


class WebhookReceiver:
    """ASGI app: verifies each delivery's signature and notes when each event arrived."""

    def __init__(self, secret: str) -> None:
        self.verifier = Webhook(secret)
        self.arrivals: dict[tuple[str, str], float] = {}
        self.ids: list[str] = []
        self.bad_signatures = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await Request(scope, receive).body()
        arrived = time.time()
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        try:
            event = self.verifier.verify(body, headers)
        except Exception:  # any verification failure is a bad delivery
            self.bad_signatures += 1
        else:
            self.ids.append(headers["webhook-id"])
            payload = event["data"]["payload"]
            self.arrivals.setdefault(_key(payload), arrived)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _key(payload: dict[str, Any]) -> tuple[str, str]:
    return str(payload["operator_connector_id"]), str(payload["observed_at"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def follow_sse(base: str, token: str, arrivals: dict[tuple[str, str], float],
                     ready: asyncio.Event, stop: asyncio.Event) -> None:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=None) as client:
        url = f"{base}/v1/events?area={STREET}"
        async with client.stream("GET", url, headers=headers) as response:
            response.raise_for_status()
            ready.set()
            kind = ""
            async for line in response.aiter_lines():
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "connector.status":
                    arrivals.setdefault(_key(orjson.loads(line[6:])["payload"]), time.time())


def plan(seeded: list[tuple[str, int]], count: int) -> list[tuple[str, int]]:
    """(ConnectorID, code) per push: the first connector of successive piles, turning faulted
    (or, if the seed left it faulted, back to idle) and back again on the next round, so every
    push is a change of a pile's colour."""
    firsts = seeded[::2]  # the seed gives each pile 2 connectors, in order
    pushes = []
    for i in range(count):
        cycle, index = divmod(i, len(firsts))
        connector, seeded_code = firsts[index]
        faulted_first = seeded_code != 255
        pushes.append((connector, 255 if faulted_first == (cycle % 2 == 0) else 1))
    return pushes


async def run(
    url: str, args: argparse.Namespace, base: str, seeded: list[tuple[str, int]],
    credentials: tuple[str, str],
) -> None:  # fmt: skip
    client_id, secret = credentials
    async with httpx.AsyncClient(base_url=base, timeout=30) as hub:
        token = (await hub.post("/oauth/token", data={"grant_type": "client_credentials"},
                                auth=(client_id, secret))).json()["access_token"]  # fmt: skip
        receiver_port = _free_port()
        created = await hub.post(
            "/v1/webhooks", headers={"Authorization": f"Bearer {token}"},
            json={"url": f"http://127.0.0.1:{receiver_port}/hook", "area": STREET,
                  "event_kinds": ["connector.status"]},
        )  # fmt: skip
        if created.status_code != 201:
            raise SystemExit(f"webhook registration failed: {created.status_code} {created.text}")
        receiver = WebhookReceiver(created.json()["secret"])
        server = uvicorn.Server(uvicorn.Config(receiver, host="127.0.0.1", port=receiver_port,
                                               log_config=None, access_log=False))  # fmt: skip
        serving = asyncio.create_task(server.serve())
        sse: dict[tuple[str, str], float] = {}
        ready, stop = asyncio.Event(), asyncio.Event()
        following = asyncio.create_task(follow_sse(base, token, sse, ready, stop))
        await ready.wait()
        operator_token = await asyncio.to_thread(_login, base)
        await _warm_up(hub, operator_token, seeded[1], receiver.arrivals, sse)
        pushes = plan(seeded, args.rate * args.seconds)
        print(f"{args.piles} piles; pushing {args.rate} faults and repairs a second for "
              f"{args.seconds} s; webhook receiver and SSE client on loopback")  # fmt: skip
        sent = await _push_all(hub, operator_token, pushes, args.rate)
        deadline = time.monotonic() + args.grace
        while time.monotonic() < deadline:
            if len(receiver.arrivals) >= len(sent) and len(sse) >= len(sent):
                break
            await asyncio.sleep(0.1)
        stop.set()
        following.cancel()
        server.should_exit = True
        await serving
    report("webhook", sent, receiver.arrivals)
    report("sse", sent, sse)
    repeats = len(receiver.ids) - len(set(receiver.ids))
    print(f"webhook deliveries {len(receiver.ids)}, repeats (same webhook-id) {repeats}, "
          f"bad signatures {receiver.bad_signatures}")  # fmt: skip


async def _warm_up(hub: httpx.AsyncClient, token: str, connector: tuple[str, int],
                   *arrivals: dict[tuple[str, str], float]) -> None:  # fmt: skip
    """One push (of a connector the plan leaves alone) through the whole path, so that the
    worker process has started and every connection is open before anything is timed."""
    sent = await _push_all(hub, token, [(connector[0], 255 if connector[1] != 255 else 1)], 1)
    for _ in range(600):
        if all(key in seen for key in sent for seen in arrivals):
            for seen in arrivals:
                seen.clear()
            return
        await asyncio.sleep(0.1)
    raise SystemExit("the warm-up push reached no receiver within a minute")


def _login(base: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as client:
        return login(client)


async def _push_all(hub: httpx.AsyncClient, token: str, pushes: list[tuple[str, int]],
                    rate: int) -> dict[tuple[str, str], float]:  # fmt: skip
    """Send the pushes at `rate` a second; returns (ConnectorID, observed_at) -> send time."""
    sent: dict[tuple[str, str], float] = {}
    started = time.perf_counter()
    in_flight: set[asyncio.Task[None]] = set()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": CONTENT_TYPE}
    for number, (connector, code) in enumerate(pushes):
        stamp = utc_now().replace(microsecond=0)  # T/CEC times have whole seconds
        payload = {"ConnectorStatusInfo": {"ConnectorID": connector, "Status": code}}
        body = sealed_json(seal_request("MA002TMQX", payload, PUSH_SECRETS,
                                        timestamp=format_timestamp(stamp),
                                        seq=f"{number % 9999 + 1:04d}"))  # fmt: skip
        sent[(connector, stamp.isoformat())] = time.time()
        task = asyncio.create_task(_push(hub, body, headers))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        await asyncio.sleep(max(0.0, started + (number + 1) / rate - time.perf_counter()))
    await asyncio.gather(*in_flight)
    return sent


async def _push(hub: httpx.AsyncClient, body: str, headers: dict[str, str]) -> None:
    response = await hub.post(PUSH_PATH, content=body.encode(), headers=headers)
    ret, msg, _data = open_response(response.raise_for_status().content, PUSH_SECRETS)
    if ret != Ret.OK:
        raise SystemExit(f"push refused: Ret {ret} {msg}")


def report(channel: str, sent: dict[tuple[str, str], float],
           arrivals: dict[tuple[str, str], float]) -> None:  # fmt: skip
    latencies = [(arrivals[key] - at) * 1000 for key, at in sent.items() if key in arrivals]
    lost = len(sent) - len(latencies)
    if len(latencies) < 2:
        print(f"{channel}: {len(latencies)} of {len(sent)} arrived")
        return
    cuts = statistics.quantiles(latencies, n=100)
    met = "met" if cuts[98] <= TARGETS[channel] and not lost else "MISSED"
    print(f"{channel:8} push -> {channel}: p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms, "
          f"max {max(latencies):.0f} ms, lost {lost} of {len(sent)} "
          f"(target p99 <= {TARGETS[channel]:.0f} ms, 0 lost: {met})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="postgresql+asyncpg://.../<new db>; default SQLite")
    parser.add_argument("--piles", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=50, help="status changes per second")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--grace", type=float, default=10.0)
    args = parser.parse_args()
    configure_logging(level="WARNING")
    pg_url = postgres_url(args.database_url)
    processes: list[Any] = []
    with bench_environment(pg_url, processes) as (url, _tmp):
        seeded = asyncio.run(seed(url, args.piles))
        asyncio.run(onboard(url))
        credentials = asyncio.run(register(url))
        base = start(processes, serve, (url,), "/healthz").removesuffix("/healthz")
        worker = multiprocessing.get_context("spawn").Process(target=work, args=(url,))
        processes.append(worker)
        worker.start()
        asyncio.run(run(url, args, base, seeded, credentials))


if __name__ == "__main__":
    main()
