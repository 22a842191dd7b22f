"""`pilehub screens ...`: approve a wall screen's user code, list screens, revoke one.

The CLI acts as the hub's own staff (city-wide). A revoked screen's refresh token is refused
at once and its access tokens by every API process within `PILEHUB_AUTH_REFRESH_INTERVAL`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import city_principal
from app.auth.scopes import Scope
from app.cli.common import console, run_refusable
from app.core.config import Settings
from app.jurisdictions.errors import AreaNotFound
from app.models import Screen
from app.oauth import screen_service

screens_cli = typer.Typer(help="Wall screens signed in with a user code.", no_args_is_help=True)
T = TypeVar("T")


def _run(work: Callable[[AsyncSession, Settings], Awaitable[T]], *, write: bool = True) -> T:
    return run_refusable(
        work,
        refusals=(screen_service.ScreenRefused, AreaNotFound),
        missing="not found",
        hint=" (no pending code or screen)",
        write=write,
    )


@screens_cli.command("approve")
def approve(
    user_code: str = typer.Argument(..., help="The code the screen shows (case, dashes ignored)."),
    area: str = typer.Option(..., help="Jurisdiction code of the screen's area."),
    scope: list[Scope] = typer.Option(
        None,
        help="Scope (repeat); default: registry, status, energy and alerts reads. "
        "alerts:write lets the screen acknowledge alerts.",
    ),
    name: str = typer.Option(None, help="Where the screen hangs, e.g. 'Beixinjing office'."),
) -> None:
    """Approve a screen: its next poll gets tokens for the area (read-only by default)."""

    async def work(session: AsyncSession, settings: Settings) -> Screen:
        return await screen_service.approve(
            session, city_principal(settings.city_code), user_code=user_code, area_code=area,
            scopes={str(s) for s in scope} if scope else None, name=name,
        )  # fmt: skip

    screen = _run(work)
    console.print(f"approved {screen.screen_id}: tier {screen.tier}, area {screen.area_code}, "
                  f"scopes {screen.scopes}")  # fmt: skip


@screens_cli.command("list")
def list_screens() -> None:
    """List screens (never their tokens)."""

    async def work(session: AsyncSession, settings: Settings) -> list[list[str]]:
        rows = await screen_service.list_screens(
            session, city_principal(settings.city_code), after_id=None, limit=10_000
        )
        return [
            [r.screen_id, r.name, r.tier, r.area_code, "revoked" if r.revoked_at else "active",
             r.last_refreshed_at.isoformat(timespec="seconds") if r.last_refreshed_at else "-",
             r.scopes]
            for r in rows
        ]  # fmt: skip

    table = Table()
    for column in ("screen_id", "name", "tier", "area", "state", "last refresh", "scopes"):
        table.add_column(column)
    for row in _run(work, write=False):
        table.add_row(*row)
    console.print(table)


@screens_cli.command("revoke")
def revoke(screen_id: str = typer.Argument(..., help="The screen to sign out (phs_...).")) -> None:
    """Sign a screen out: refresh refused at once, access tokens everywhere within 15 s."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        screen = await screen_service.revoke(session, city_principal(settings.city_code), screen_id)
        return screen.screen_id

    console.print(f"revoked {_run(work)}")
