"""Claiming, a dispatch pass's second step: per endpoint, the due deliveries that go out now,
leased before anything is sent, as one `Batch` per endpoint.

The lease (`next_attempt_at` moved past the request timeout) means a crash mid-send leaves the
deliveries due again: at-least-once, with the same `webhook-id`, which receivers dedupe on.
Per endpoint only the oldest pending delivery of each subject goes out, so a subject's events
arrive in order. A robot gets at most one message per pass, within its per-minute budget;
everything due goes into it, so bursts become digests. An endpoint with a batch in flight is
skipped until `release`, so a slow receiver delays only itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import WebhookSettings
from app.core.db import Database
from app.core.vault import SecretVault
from app.models import WebhookDelivery, WebhookEndpoint
from app.webhooks import repository, wecom
from app.webhooks.service import Target, sealed_target
from app.webhooks.vetted_post import Attempt

_PER_ENDPOINT = 200  # due deliveries looked at per endpoint and pass
_ROBOT_LINES = 60  # alerts considered for one robot message


@dataclass
class Batch:
    """What one endpoint sends this pass: one request per delivery, or one robot message."""

    endpoint: WebhookEndpoint
    target: Target = field(repr=False)
    deliveries: list[WebhookDelivery]
    attempts: list[Attempt] = field(default_factory=list)
    # Claimed but left for the robot's next message (it was full): due again at once.
    leftover: list[WebhookDelivery] = field(default_factory=list)


class Claims:
    def __init__(self, database: Database, config: WebhookSettings, vault: SecretVault) -> None:
        self._database, self._config, self._vault = database, config, vault
        # Endpoints with a batch in flight: a slow receiver holds up only itself.
        self._busy: set[int] = set()

    async def claim(self, now: datetime) -> list[Batch]:
        """Lease what is due now, one batch per endpoint not already sending; each endpoint
        stays busy until `release`."""
        async with self._database.session() as session:
            due = await repository.due_endpoint_ids(session, now)
        if not due:
            return []
        batches: list[Batch] = []
        async with self._database.session(write=True) as session:
            for endpoint in await repository.enabled_endpoints(session):
                if endpoint.id not in due or endpoint.id in self._busy:
                    continue
                chosen = await self._choose(session, endpoint, now)
                if not chosen:
                    continue
                batches.append(Batch(endpoint, sealed_target(self._vault, endpoint), chosen))
                # Long enough for the batch's requests, a few at a time, to time out.
                rounds = 1 + len(chosen) // self._config.concurrency
                lease_until = now + self._config.timeout * rounds + timedelta(seconds=5)
                await repository.lease(session, [d.id for d in chosen if d.id], lease_until)
        # Claimed (committed): busy until the batch has been recorded.
        self._busy.update(batch.endpoint.id for batch in batches if batch.endpoint.id)
        return batches

    def release(self, endpoint_id: int) -> None:
        """The endpoint's batch is done (recorded, or failed and left to its lease)."""
        self._busy.discard(endpoint_id)

    async def _choose(
        self, session: AsyncSession, endpoint: WebhookEndpoint, now: datetime
    ) -> list[WebhookDelivery]:
        assert endpoint.id is not None
        if endpoint.kind == "wecom":
            recent, allowed_at = wecom.budget(
                endpoint.send_times, now.timestamp(), self._config.robot_per_minute
            )
            if allowed_at > now.timestamp():
                return []  # over the robot's budget: what is due waits and is merged later
            chosen = list(await repository.due(session, endpoint.id, now, _ROBOT_LINES))
            if chosen:  # counted when sent, success or not: WeCom counts requests
                endpoint.send_times = [*recent, now.timestamp()]
            return chosen
        due = await repository.due(session, endpoint.id, now, _PER_ENDPOINT)
        # Only a subject's oldest pending delivery goes out (one in flight, or waiting for its
        # retry, holds the later ones back): a subject's events arrive in order.
        first = await repository.first_pending(session, endpoint.id, {d.subject for d in due})
        return [d for d in due if first.get(d.subject) == d.event_id]
