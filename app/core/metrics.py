"""Prometheus metrics of this process (`GET /metrics`).

Metric objects are module-level: the client library registers each once per process. With
several uvicorn workers each process reports its own; scrape them per process or aggregate.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

# Latency buckets for "the street knows at once": sub-second resolution up to a minute.
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

SSE_DELIVERY = Histogram(
    "pilehub_sse_delivery_seconds",
    "From a change's commit (its change-log time) to its write on a server-sent-event stream.",
    ["kind"],
    buckets=_LATENCY,
)
SSE_SUBSCRIBERS = Gauge("pilehub_sse_subscribers", "Open server-sent-event streams.")
STATUS_REPORTS = Counter(
    "pilehub_status_reports_total", "Connector status reports recorded, by outcome.", ["outcome"]
)
TCEC_REQUESTS = Counter(
    "pilehub_tcec_requests_total", "T/CEC requests received, by interface and Ret.",
    ["interface", "ret"],
)  # fmt: skip
GRAPHQL_CACHE = Counter(
    "pilehub_graphql_cache_total", "GraphQL queries answered from the cache (hit) or run.",
    ["result"],
)  # fmt: skip
GRAPHQL_SUBSCRIPTION_DELIVERY = Histogram(
    "pilehub_graphql_subscription_delivery_seconds",
    "From a change's commit (its change-log time) to its send on a GraphQL subscription.",
    ["kind"],
    buckets=_LATENCY,
)
ALERT_CHANGES = Counter(
    "pilehub_alert_changes_total", "Alert lifecycle changes, by kind.", ["kind"]
)

# Webhooks and group robots (app/webhooks/dispatcher.py); reported by the process that runs
# the dispatcher (the worker, or the API process in `pilehub demo`).
NOTIFICATION_LATENCY = Histogram(
    "pilehub_notification_latency_seconds",
    "From a change's commit (its change-log time) to a webhook or robot accepting it (2xx).",
    ["channel", "kind"],
    buckets=_LATENCY,
)
OUTBOX_DEPTH = Gauge(
    "pilehub_outbox_pending", "Webhook and robot deliveries waiting to be delivered."
)
DELIVERY_FAILURES = Counter(
    "pilehub_delivery_failures_total",
    "Failed webhook and robot delivery attempts, by channel and reason.",
    ["channel", "reason"],
)
DELIVERY_OUTCOMES = Counter(
    "pilehub_deliveries_total",
    "Deliveries finished, by channel and outcome (delivered, dead).",
    ["channel", "outcome"],
)


async def metrics(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
