"""Wall screens' sign-in (RFC 8628 device authorization grant): starting a request, an admin's
approval or denial of its user code, the screen's polls, rotating refresh tokens, and
listing and revoking screens.

A screen is a public client: every screen starts with the well-known client id
`pilehub-screen` and no secret. An admin of an area approves its user code, which makes a
`Screen` (`phs_...`) bound to that area, the area's tier and read-only scopes; the screen's
access tokens carry that id as `client_id` and `sub`, so a revoked screen lands on the
verifier's disabled list like a disabled client. Device codes and refresh tokens are stored as
SHA-256 hashes (256-bit random values: a slow hash adds nothing).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.auth.scopes import TIER_SCOPES, Scope, Tier, format_scopes, parse_scopes
from app.core.time import utc_now
from app.jurisdictions import repository as jurisdictions_repository
from app.jurisdictions.errors import AreaNotFound
from app.models import DeviceAuthorization, JurisdictionLevel, Screen, ScreenRefreshToken
from app.oauth import screen_repository as repository

SCREEN_CLIENT_ID = "pilehub-screen"
# What a screen may ever hold: reads, and acknowledging alerts (a screen in a control room
# where staff act on what it shows; an admin grants it, it is never a default). Nothing that
# manages or writes data.
SCREEN_SCOPES = frozenset(
    str(scope)
    for scope in (
        Scope.REGISTRY_READ,
        Scope.STATUS_READ,
        Scope.ENERGY_READ,
        Scope.SESSIONS_READ,
        Scope.ALERTS_READ,
        Scope.ALERTS_WRITE,
    )
)
# What it gets unless the admin or the screen asks for less (or more, within the above).
DEFAULT_SCREEN_SCOPES = frozenset(
    str(scope)
    for scope in (Scope.REGISTRY_READ, Scope.STATUS_READ, Scope.ENERGY_READ, Scope.ALERTS_READ)
)
DEVICE_CODE_LIFETIME = timedelta(minutes=10)
POLL_INTERVAL = 5  # seconds (RFC 8628 §3.2's default)
SLOW_DOWN_STEP = 5  # seconds added to the interval at each slow_down (§3.5)
# A screen's access tokens are shorter-lived than other clients': a wall screen is in a public
# place, and refreshing costs it nothing.
SCREEN_ACCESS_TOKEN_TTL = timedelta(minutes=5)
# Each refresh starts a new window, so a screen that is on stays signed in; one that was off
# for longer must be approved again.
REFRESH_TOKEN_TTL = timedelta(days=30)

_TIER_OF_LEVEL = {
    JurisdictionLevel.CITY: Tier.CITY,
    JurisdictionLevel.DISTRICT: Tier.DISTRICT,
    JurisdictionLevel.STREET: Tier.STREET,
    JurisdictionLevel.COMMUNITY: Tier.STREET,
}


class ScreenRefused(ValueError):
    """An approval the caller may not make (a 400)."""


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_user_code(text: str) -> str:
    """RFC 8628 §6.1: case and punctuation (the dash) do not matter when a code is typed."""
    return "".join(c for c in text.upper() if c.isascii() and c.isalnum())[:16]


def screen_scopes_allowed(scope: str | None) -> bool:
    return parse_scopes(scope) <= SCREEN_SCOPES


async def start(
    session: AsyncSession, *, client_id: str, scope: str | None, device_code: str, user_code: str
) -> DeviceAuthorization:
    """Store a screen's request (its device code hashed), pending an admin's decision."""
    now = utc_now()
    row = DeviceAuthorization(
        device_code_hash=hash_code(device_code),
        user_code=normalise_user_code(user_code),
        client_id=client_id,
        requested_scopes=format_scopes(parse_scopes(scope)) or None,
        created_at=now,
        expires_at=now + DEVICE_CODE_LIFETIME,
        interval=POLL_INTERVAL,
    )
    await repository.add_device_authorization(session, row, purge_before=now - timedelta(days=1))
    return row


@dataclass(frozen=True)
class ApprovedScreen:
    screen: Screen
    area_path: str


@dataclass(frozen=True)
class Poll:
    """One poll of the token endpoint, as the device code grant needs it (no I/O)."""

    authorization_id: int
    client_id: str
    user_code: str
    status: str
    expired: bool
    slow_down: bool
    scopes: str | None
    approved: ApprovedScreen | None


async def poll(session: AsyncSession, device_code: str) -> Poll | None:
    """Record a poll and say where the request stands; None for an unknown or used code.

    A poll sooner than the interval after the last one is `slow_down`, and the interval grows
    for this and every later poll (RFC 8628 §3.5).
    """
    row = await repository.device_authorization_by_hash(session, hash_code(device_code))
    if row is None or row.status == "used" or row.id is None:
        return None
    now = utc_now()
    too_soon = row.last_polled_at is not None and now - row.last_polled_at < timedelta(
        seconds=row.interval
    )
    if too_soon and row.status == "pending":
        row.interval += SLOW_DOWN_STEP
    row.last_polled_at = now
    session.add(row)
    await session.flush()
    approved = None
    if row.status == "approved" and row.screen_id is not None:
        approved = await _approved_screen(session, row.screen_id)
    return Poll(
        authorization_id=row.id,
        client_id=row.client_id,
        user_code=row.user_code,
        status=row.status if row.status != "approved" or approved else "denied",
        expired=row.expires_at <= now,
        slow_down=too_soon,
        scopes=row.approved_scopes,
        approved=approved,
    )


async def _approved_screen(session: AsyncSession, screen_id: str) -> ApprovedScreen | None:
    """A live screen with its area's path; None if it was revoked or its area is gone."""
    screen = await repository.get_screen(session, screen_id)
    if screen is None or screen.revoked_at is not None:
        return None
    area = await jurisdictions_repository.get_by_code(session, screen.area_code)
    return ApprovedScreen(screen, area.path) if area is not None else None


async def collect(session: AsyncSession, poll: Poll, refresh_token: str) -> bool:
    """The screen took its first tokens: the device code is spent and the refresh token
    stored. False if another poll took them first (then none of these count)."""
    assert poll.approved is not None
    if not await repository.mark_used(session, poll.authorization_id):
        return False
    await _store_refresh_token(session, poll.approved.screen.screen_id, refresh_token)
    return True


async def _store_refresh_token(session: AsyncSession, screen_id: str, token: str) -> None:
    now = utc_now()
    await repository.add(
        session,
        ScreenRefreshToken(
            token_hash=hash_code(token),
            screen_id=screen_id,
            created_at=now,
            expires_at=now + REFRESH_TOKEN_TTL,
        ),
    )


async def approve(
    session: AsyncSession,
    principal: Principal,
    *,
    user_code: str,
    area_code: str,
    scopes: set[str] | None = None,
    name: str | None = None,
) -> Screen:
    """Approve a pending user code for a screen of an area inside the approver's area.

    Scopes: those given, else those the screen asked for, else the default read-only set;
    never beyond the screen scopes, the area's tier or what the approver holds (an explicit
    set beyond them is refused; the default is narrowed to them).
    """
    now = utc_now()
    authorization = await repository.pending_by_user_code(
        session, normalise_user_code(user_code), now
    )
    if authorization is None:
        raise LookupError(user_code)
    area = await jurisdictions_repository.get_visible_by_code(session, principal, area_code)
    if area is None:
        raise AreaNotFound(f"No area {area_code} in your area.")
    tier = _TIER_OF_LEVEL[JurisdictionLevel(area.level)]
    limit = SCREEN_SCOPES & {str(s) for s in TIER_SCOPES[tier]} & set(principal.scopes)
    chosen = scopes if scopes is not None else parse_scopes(authorization.requested_scopes)
    if chosen:
        unknown = chosen - set(Scope)
        if unknown:
            raise ScreenRefused(f"unknown scopes: {format_scopes(unknown)}")
        beyond = chosen - limit
        if beyond:
            raise ScreenRefused(f"a screen here cannot hold {format_scopes(beyond)}")
    else:
        chosen = set(DEFAULT_SCREEN_SCOPES & limit)
    if not chosen:
        raise ScreenRefused("no scope left to grant")
    screen = Screen(
        screen_id=f"phs_{secrets.token_urlsafe(15)}",
        name=name or f"screen {authorization.user_code}",
        tier=tier.value,
        area_code=area.code,
        scopes=format_scopes(chosen),
        approved_by=principal.subject,
        created_at=now,
    )
    await repository.add(session, screen)
    authorization.status, authorization.screen_id = "approved", screen.screen_id
    authorization.area_code, authorization.approved_scopes = area.code, screen.scopes
    authorization.approved_by, authorization.decided_at = principal.subject, now
    session.add(authorization)
    await session.flush()
    return screen


async def deny(session: AsyncSession, principal: Principal, *, user_code: str) -> None:
    """Refuse a pending user code: the screen's next poll gets access_denied."""
    authorization = await repository.pending_by_user_code(
        session, normalise_user_code(user_code), utc_now()
    )
    if authorization is None:
        raise LookupError(user_code)
    authorization.status, authorization.approved_by = "denied", principal.subject
    authorization.decided_at = utc_now()
    session.add(authorization)
    await session.flush()


@dataclass(frozen=True)
class Refresh:
    """A presented refresh token that may be exchanged (no I/O needed to decide)."""

    token_id: int
    approved: ApprovedScreen


async def refresh_state(session: AsyncSession, refresh_token: str) -> Refresh | None:
    """The screen a refresh token is good for, or None (unknown, expired, revoked screen).

    A token that was used already is a copy in someone else's hands, or the screen's own
    replayed by an attacker: either way the screen is revoked at once (RFC 9700 §4.14.2).
    """
    row = await repository.refresh_token_by_hash(session, hash_code(refresh_token))
    if row is None or row.id is None:
        return None
    now = utc_now()
    if row.used_at is not None:
        await repository.revoke_screen(session, row.screen_id, now)
        return None
    if row.expires_at <= now:
        return None
    approved = await _approved_screen(session, row.screen_id)
    return Refresh(row.id, approved) if approved is not None else None


async def rotate(session: AsyncSession, refresh: Refresh, new_token: str) -> bool:
    """Spend the old refresh token and store the new one; False (and the screen revoked) if
    the old one was spent meanwhile by a concurrent request."""
    screen_id, now = refresh.approved.screen.screen_id, utc_now()
    if not await repository.use_refresh_token(session, refresh.token_id, now):
        await repository.revoke_screen(session, screen_id, now)
        return False
    await repository.purge_expired_refresh_tokens(session, screen_id, now)
    await _store_refresh_token(session, screen_id, new_token)
    screen = refresh.approved.screen
    screen.last_refreshed_at = now
    session.add(screen)
    await session.flush()
    return True


async def list_screens(
    session: AsyncSession, principal: Principal, *, after_id: int | None, limit: int
) -> Sequence[Screen]:
    return await repository.list_visible_screens(session, principal, after_id=after_id, limit=limit)


async def revoke(session: AsyncSession, principal: Principal, screen_id: str) -> Screen:
    """End a screen: its refresh tokens at once, its access tokens in every API process
    within the auth refresh interval."""
    screen = await repository.get_screen(session, screen_id)
    if screen is None or (
        await jurisdictions_repository.get_visible_by_code(session, principal, screen.area_code)
        is None
    ):
        raise LookupError(screen_id)
    if screen.revoked_at is None:
        await repository.revoke_screen(session, screen_id, utc_now())
        await session.refresh(screen)
    return screen
