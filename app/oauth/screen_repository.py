"""SQL for wall screens' sign-in: device authorizations, screens and their refresh tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.core.db import execute
from app.models import DeviceAuthorization, Screen, ScreenRefreshToken


async def add_device_authorization(
    session: AsyncSession, row: DeviceAuthorization, *, purge_before: datetime
) -> None:
    """Store a new request, and forget requests that expired before `purge_before`."""
    await execute(
        session,
        delete(DeviceAuthorization).where(col(DeviceAuthorization.expires_at) < purge_before),
    )
    session.add(row)
    await session.flush()


async def device_authorization_by_hash(
    session: AsyncSession, device_code_hash: str
) -> DeviceAuthorization | None:
    result = await session.exec(
        select(DeviceAuthorization).where(DeviceAuthorization.device_code_hash == device_code_hash)
    )
    return result.first()


async def pending_by_user_code(
    session: AsyncSession, user_code: str, now: datetime
) -> DeviceAuthorization | None:
    result = await session.exec(
        select(DeviceAuthorization)
        .where(
            DeviceAuthorization.user_code == user_code,
            DeviceAuthorization.status == "pending",
            col(DeviceAuthorization.expires_at) > now,
        )
        .order_by(col(DeviceAuthorization.id).desc())
    )
    return result.first()


async def mark_used(session: AsyncSession, authorization_id: int) -> bool:
    """approved → used, once: False if another poll collected the tokens first."""
    result = await execute(
        session,
        update(DeviceAuthorization)
        .where(
            col(DeviceAuthorization.id) == authorization_id,
            col(DeviceAuthorization.status) == "approved",
        )
        .values(status="used"),
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add(session: AsyncSession, row: Screen | ScreenRefreshToken) -> None:
    session.add(row)
    await session.flush()


async def get_screen(session: AsyncSession, screen_id: str) -> Screen | None:
    result = await session.exec(select(Screen).where(Screen.screen_id == screen_id))
    return result.first()


async def list_visible_screens(
    session: AsyncSession, principal: Principal, *, after_id: int | None, limit: int
) -> Sequence[Screen]:
    """Screens approved for an area inside the principal's area, oldest first."""
    statement = (
        select(Screen)
        .where(col(Screen.area_code).in_(visibility.visible_area_codes(principal)))
        .order_by(col(Screen.id))
        .limit(limit)
    )
    if after_id is not None:
        statement = statement.where(col(Screen.id) > after_id)
    result = await session.exec(statement)
    return result.all()


async def refresh_token_by_hash(
    session: AsyncSession, token_hash: str
) -> ScreenRefreshToken | None:
    result = await session.exec(
        select(ScreenRefreshToken).where(ScreenRefreshToken.token_hash == token_hash)
    )
    return result.first()


async def use_refresh_token(session: AsyncSession, token_id: int, now: datetime) -> bool:
    """Mark a refresh token used, once: False if it already was (a concurrent reuse)."""
    result = await execute(
        session,
        update(ScreenRefreshToken)
        .where(col(ScreenRefreshToken.id) == token_id, col(ScreenRefreshToken.used_at).is_(None))
        .values(used_at=now),
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_screen(session: AsyncSession, screen_id: str, now: datetime) -> None:
    """Revoke a screen and drop its refresh tokens (none of them may be used again)."""
    await execute(
        session,
        update(Screen)
        .where(col(Screen.screen_id) == screen_id, col(Screen.revoked_at).is_(None))
        .values(revoked_at=now),
    )
    await execute(
        session, delete(ScreenRefreshToken).where(col(ScreenRefreshToken.screen_id) == screen_id)
    )


async def purge_expired_refresh_tokens(
    session: AsyncSession, screen_id: str, now: datetime
) -> None:
    await execute(
        session,
        delete(ScreenRefreshToken).where(
            col(ScreenRefreshToken.screen_id) == screen_id,
            col(ScreenRefreshToken.expires_at) < now,
        ),
    )
