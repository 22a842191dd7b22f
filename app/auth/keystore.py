"""What a token verifier trusts, as stored: the signing keys (made, rotated, loaded), the
disabled clients and the denylisted tokens. The authorization server (app/oauth) writes
clients and revocations; this module only reads them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import keys as keyring
from app.auth import repository
from app.core.locks import transaction_lock
from app.core.time import utc_now
from app.core.vault import SecretVault
from app.models import SigningKey


async def ensure_keys(session: AsyncSession, vault: SecretVault) -> None:
    """Make sure a current and a next key exist (first start, or a fresh database)."""
    await transaction_lock(session, "signing-keys")
    present = {key.state for key in await repository.keys(session, ("current", "next"))}
    for state in ("current", "next"):
        if state not in present:
            await _add_key(session, vault, state)


async def rotate_keys(session: AsyncSession, vault: SecretVault) -> str:
    """previous -> retired, current -> previous, next -> current, new -> next; returns the
    new current kid. Tokens signed by the old current key stay valid until they expire."""
    await ensure_keys(session, vault)
    now = utc_now()
    by_state = {key.state: key for key in await repository.keys(session, keyring.PUBLISHED_STATES)}
    for state, after in (("previous", "retired"), ("current", "previous"), ("next", "current")):
        if state in by_state:
            by_state[state].state, by_state[state].rotated_at = after, now
            session.add(by_state[state])
    await session.flush()
    await _add_key(session, vault, "next")
    return by_state["next"].kid


async def _add_key(session: AsyncSession, vault: SecretVault, state: str) -> None:
    kid, private, public = keyring.generate_key()
    await repository.add_key(
        session,
        SigningKey(
            kid=kid,
            state=state,
            algorithm=keyring.ALGORITHM,
            private_jwk=vault.seal(private),
            public_jwk=public,
        ),
    )


async def load_keyring(session: AsyncSession, vault: SecretVault) -> keyring.KeyRing:
    rows = await repository.keys(session, keyring.PUBLISHED_STATES)
    current = next((row for row in rows if row.state == "current"), None)
    order = {state: index for index, state in enumerate(keyring.PUBLISHED_STATES)}
    published = [row.public_jwk for row in sorted(rows, key=lambda row: order[row.state])]
    return keyring.KeyRing.load(vault.open(current.private_jwk) if current else None, published)


async def disabled_client_ids(session: AsyncSession, now: datetime) -> set[str]:
    # An hour covers the longest access token (10 minutes) with room for clock skew.
    return await repository.disabled_client_ids(session, now - timedelta(hours=1))


async def revoked_jtis(session: AsyncSession, now: datetime) -> set[str]:
    return await repository.live_revoked_jtis(session, now)
