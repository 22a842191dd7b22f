"""The authorization server's use cases: clients (register, list, rotate a secret, disable),
the token endpoint's lookups, and revoking a token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
from joserfc.jwk import KeySet
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import TIER_SCOPES, Scope, Tier, format_scopes, parse_scopes
from app.core.time import utc_now
from app.jurisdictions import repository as jurisdictions_repository
from app.jurisdictions.errors import AreaNotFound
from app.models import ApiClient, RevokedToken, UsedAssertion
from app.oauth import repository


class ClientRefused(ValueError):
    """A client registration or change that the caller may not make (a 400 or 403)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(client: ApiClient, secret: str) -> bool:
    return client.secret_hash is not None and hmac.compare_digest(
        client.secret_hash, hash_secret(secret)
    )


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    secret: str | None  # shown once; None for private_key_jwt clients


async def create_client(
    session: AsyncSession,
    creator: Principal,
    *,
    name: str,
    tier: Tier,
    area_code: str,
    scopes: set[str] | None = None,
    jwks: dict[str, object] | None = None,
    resource_server: bool = False,
) -> NewClient:
    """Register a client bound to a tier and an area inside the creator's area, with at most
    the tier's scopes and never a scope the creator does not hold itself."""
    area = await jurisdictions_repository.get_visible_by_code(session, creator, area_code)
    if area is None:
        raise AreaNotFound(f"No area {area_code} in your area.")
    granted: set[str] = {str(scope) for scope in TIER_SCOPES[tier]} if scopes is None else scopes
    unknown = granted - set(Scope)
    if unknown:
        raise ClientRefused(f"unknown scopes: {format_scopes(unknown)}")
    beyond_tier = granted - TIER_SCOPES[tier]
    if beyond_tier:
        raise ClientRefused(f"a {tier} client cannot hold {format_scopes(beyond_tier)}")
    beyond_creator = granted - creator.scopes
    if beyond_creator:
        raise ClientRefused(
            f"you cannot grant scopes you do not hold: {format_scopes(beyond_creator)}"
        )
    if jwks is not None:
        _check_public_jwks(jwks)
    secret = None if jwks is not None else _new_secret()
    client = ApiClient(
        client_id=f"phc_{secrets.token_urlsafe(15)}",
        name=name,
        tier=tier.value,
        area_code=area.code,
        scopes=format_scopes(granted),
        auth_method="private_key_jwt" if jwks is not None else "client_secret_basic",
        secret_hash=hash_secret(secret) if secret is not None else None,
        jwks=jwks,
        resource_server=resource_server,
    )
    return NewClient(await repository.add_client(session, client), secret)


def _check_public_jwks(jwks: dict[str, object]) -> None:
    try:
        key_set = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except Exception as exc:  # joserfc raises several types for malformed sets
        raise ClientRefused(f"jwks is not a JWK Set: {exc}") from None
    if not key_set.keys or any(key.is_private for key in key_set.keys):
        raise ClientRefused("jwks must hold public keys only, at least one")
    if any(len(orjson.dumps(key.as_dict())) > 4096 for key in key_set.keys):
        raise ClientRefused("jwks keys are too large")


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


async def visible_client(session: AsyncSession, principal: Principal, client_id: str) -> ApiClient:
    """A client registered inside the caller's area; others do not exist for it."""
    client = await repository.get_client(session, client_id)
    if client is None or not await _inside(session, principal, client.area_code):
        raise LookupError(client_id)
    return client


async def _inside(session: AsyncSession, principal: Principal, area_code: str) -> bool:
    found = await jurisdictions_repository.get_visible_by_code(session, principal, area_code)
    return found is not None


async def list_clients(
    session: AsyncSession, principal: Principal, *, after_id: int | None, limit: int
) -> Sequence[ApiClient]:
    return await repository.list_visible_clients(session, principal, after_id=after_id, limit=limit)


async def rotate_secret(session: AsyncSession, principal: Principal, client_id: str) -> NewClient:
    client = await visible_client(session, principal, client_id)
    if client.auth_method != "client_secret_basic":
        raise ClientRefused("this client authenticates with private_key_jwt; it has no secret")
    secret = _new_secret()
    client.secret_hash, client.secret_rotated_at = hash_secret(secret), utc_now()
    session.add(client)
    await session.flush()
    return NewClient(client, secret)


async def disable_client(session: AsyncSession, principal: Principal, client_id: str) -> ApiClient:
    """No new tokens at once; its live tokens are refused by every process within the
    refresh interval."""
    client = await visible_client(session, principal, client_id)
    if client.disabled_at is None:
        client.disabled_at = utc_now()
        session.add(client)
        await session.flush()
    return client


async def enabled_client(session: AsyncSession, client_id: str) -> ApiClient | None:
    """The client, or None if it is unknown or disabled (the token endpoint's view)."""
    client = await repository.get_client(session, client_id)
    return None if client is None or client.disabled_at is not None else client


async def area_path_of(session: AsyncSession, client: ApiClient) -> str | None:
    """The path of the client's area; None if that area is gone."""
    area = await jurisdictions_repository.get_by_code(session, client.area_code)
    return area.path if area is not None else None


async def claim_assertion(
    session: AsyncSession, *, jti: str, client_id: str, expires_at: datetime
) -> bool:
    """Record a client assertion's jti; False if it was already used (a replay)."""
    return await repository.claim_assertion(
        session, UsedAssertion(jti=jti, client_id=client_id, expires_at=expires_at), utc_now()
    )


async def revoke_token(
    session: AsyncSession, *, jti: str, client_id: str, expires_at: datetime
) -> None:
    await repository.revoke(
        session, RevokedToken(jti=jti, client_id=client_id, expires_at=expires_at)
    )


def client_scopes(client: ApiClient) -> set[str]:
    return parse_scopes(client.scopes)
