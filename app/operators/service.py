"""Operator use cases: onboarding, the T/CEC token flow, and secrets for each direction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.time import utc_now
from app.core.vault import SecretVault
from app.models import Operator, OperatorConnection, OperatorToken
from app.operators import repository
from app.operators.errors import OperatorAlreadyConnected, OperatorNotConnected
from app.operators.schemas import OperatorOnboard, OperatorPublic
from app.tcec.crypto import ChannelSecrets


class FailReason(IntEnum):
    """query_token FailReason (S1 App. A)."""

    NONE = 0
    NO_SUCH_OPERATOR = 1
    WRONG_SECRET = 2


@dataclass(frozen=True, slots=True)
class TokenGrant:
    fail_reason: FailReason
    access_token: str = ""
    available_seconds: int = 0


@dataclass(frozen=True, slots=True)
class Channel:
    """One direction of a connection, decrypted for use in this process only."""

    operator_pk: int
    operator_id: str
    operator_secret: str
    secrets: ChannelSecrets
    base_url: str
    pull_interval: timedelta

    def __repr__(self) -> str:
        return f"Channel({self.operator_id}, ***)"


async def onboard_operator(
    session: AsyncSession, vault: SecretVault, data: OperatorOnboard, *, replace: bool = False
) -> OperatorPublic:
    """Connect an operator: its OperatorID, interface root and secrets for each direction."""
    existing = await repository.get_connection(session, data.operator_id)
    if existing is not None and not replace:
        raise OperatorAlreadyConnected(f"Operator {data.operator_id} is already connected.")
    operator = await ensure_operator(session, operator_id=data.operator_id, name=data.name)
    assert operator.id is not None
    connection = (
        existing[1]
        if existing
        else OperatorConnection(
            operator_pk=operator.id, base_url="", inbound_secrets="", outbound_secrets=""
        )
    )
    connection.base_url = str(data.base_url)
    connection.inbound_secrets = vault.seal(data.inbound.plain())
    connection.outbound_secrets = vault.seal(data.outbound.plain())
    connection.pull_interval_seconds = data.pull_interval_seconds
    connection.enabled = True
    connection.updated_at = utc_now()
    await repository.add(session, connection)
    return _public(operator, connection)


async def list_operators(session: AsyncSession) -> list[OperatorPublic]:
    """List connected operators (never their secrets)."""
    return [_public(o, c) for o, c in await repository.list_connections(session)]


def _public(operator: Operator, connection: OperatorConnection) -> OperatorPublic:
    return OperatorPublic(
        operator_id=operator.operator_id,
        name=operator.name,
        base_url=connection.base_url,
        enabled=connection.enabled,
        pull_interval_seconds=connection.pull_interval_seconds,
        created_at=connection.created_at,
        updated_at=connection.updated_at,
    )


async def inbound_channel(
    session: AsyncSession, vault: SecretVault, operator_id: str
) -> Channel | None:
    """The keys an operator uses when it calls the hub (None if not connected or disabled)."""
    return await _channel(session, vault, operator_id, inbound=True)


async def outbound_channel(session: AsyncSession, vault: SecretVault, operator_id: str) -> Channel:
    """The keys the hub uses when it calls the operator."""
    channel = await _channel(session, vault, operator_id, inbound=False)
    if channel is None:
        raise OperatorNotConnected(f"Operator {operator_id} is not connected.")
    return channel


async def _channel(
    session: AsyncSession, vault: SecretVault, operator_id: str, *, inbound: bool
) -> Channel | None:
    found = await repository.get_connection(session, operator_id)
    if found is None:
        return None
    operator, connection = found
    if operator.id is None or not connection.enabled:
        return None
    plain = vault.open(connection.inbound_secrets if inbound else connection.outbound_secrets)
    return Channel(
        operator_pk=operator.id,
        operator_id=operator.operator_id,
        operator_secret=plain["operator_secret"],
        secrets=ChannelSecrets(
            data_secret=plain["data_secret"],
            data_secret_iv=plain["data_secret_iv"],
            sig_secret=plain["sig_secret"],
        ),
        base_url=connection.base_url,
        pull_interval=timedelta(seconds=connection.pull_interval_seconds),
    )


async def issue_token(
    session: AsyncSession,
    channel: Channel | None,
    *,
    operator_secret: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> TokenGrant:
    """query_token: a fresh AccessToken for an operator that proves its OperatorSecret."""
    if channel is None:
        return TokenGrant(FailReason.NO_SUCH_OPERATOR)
    if not hmac.compare_digest(operator_secret.encode(), channel.operator_secret.encode()):
        return TokenGrant(FailReason.WRONG_SECRET)
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    await repository.delete_expired_tokens(session, now)
    await repository.add(
        session,
        OperatorToken(
            operator_pk=channel.operator_pk,
            token_hash=token_hash(token),
            issued_at=now,
            expires_at=now + ttl,
        ),
    )
    return TokenGrant(FailReason.NONE, token, int(ttl.total_seconds()))


async def token_expiry(
    session: AsyncSession, channel: Channel, token: str, *, now: datetime | None = None
) -> datetime | None:
    """When `token` expires, if it is a live AccessToken issued to this operator."""
    row = await repository.find_token(session, token_hash(token))
    if (
        row is None
        or row.operator_pk != channel.operator_pk
        or row.expires_at <= (now or utc_now())
    ):
        return None
    return row.expires_at


def token_hash(token: str) -> str:
    # Tokens are random (256 bits), so a plain hash is enough to keep them useless if leaked.
    return hashlib.sha256(token.encode()).hexdigest()


async def ensure_operator(session: AsyncSession, *, operator_id: str, name: str) -> Operator:
    """Create the operator or update its name."""
    operator = await repository.get_operator(session, operator_id)
    if operator is None:
        operator = Operator(operator_id=operator_id, name=name)
    operator.name = name
    await repository.add(session, operator)
    return operator


async def find_operator(session: AsyncSession, operator_id: str) -> Operator | None:
    return await repository.get_operator(session, operator_id)
