"""What every API process must know to check a token: the published keys, disabled clients
and denylisted tokens, re-read from the database at most every `auth_refresh_interval`.

A revocation (client disabled, token denylisted, key rotated) therefore takes effect in
every process within that interval, without a message bus.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from app.auth import keystore
from app.auth.keys import KeyRing
from app.core.db import Database
from app.core.parts import ProcessPart
from app.core.time import utc_now
from app.core.vault import SecretVault


@dataclass
class AuthSnapshot:
    keys: KeyRing
    disabled_clients: set[str] = field(default_factory=set)
    revoked_jtis: set[str] = field(default_factory=set)
    version: int = 0  # bumps on every refresh that changed something


class AuthState:
    def __init__(self, database: Database, vault: SecretVault, *, refresh_every: float) -> None:
        self._database, self._vault, self._every = database, vault, refresh_every
        self._snapshot: AuthSnapshot | None = None
        self._loaded_at = -float("inf")
        self._lock = asyncio.Lock()

    async def current(self) -> AuthSnapshot:
        """The snapshot, refreshed first if it is older than the interval."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._loaded_at < self._every:
            return snapshot
        async with self._lock:  # one refresh at a time; the others wait for its result
            if self._snapshot is None or time.monotonic() - self._loaded_at >= self._every:
                await self._refresh()
        assert self._snapshot is not None
        return self._snapshot

    def invalidate(self) -> None:
        """Re-read at the next use (this process changed keys, clients or the denylist)."""
        self._loaded_at = -float("inf")

    async def _refresh(self) -> None:
        async with self._database.session() as session:
            keys = await keystore.load_keyring(session, self._vault)
            now = utc_now()
            disabled = await keystore.disabled_client_ids(session, now)
            revoked = await keystore.revoked_jtis(session, now)
        if keys.signing is None:  # first start on this database: make the keys
            async with self._database.session(write=True) as session:
                await keystore.ensure_keys(session, self._vault)
                keys = await keystore.load_keyring(session, self._vault)
        previous = self._snapshot
        changed = previous is None or (
            previous.keys.published != keys.published
            or previous.disabled_clients != disabled
            or previous.revoked_jtis != revoked
        )
        version = (previous.version if previous else 0) + (1 if changed else 0)
        self._snapshot = AuthSnapshot(keys, disabled, revoked, version)
        self._loaded_at = time.monotonic()


AUTH_STATE: ProcessPart[AuthState] = ProcessPart("auth_state")
