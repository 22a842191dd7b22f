"""`pilehub clients ...` and `pilehub keys rotate`: OAuth2 clients and signing keys.

The CLI acts as the hub's own staff (city-wide); a secret is printed once, at creation or
rotation, and stored only as a hash.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import keystore
from app.auth.principal import city_principal
from app.auth.scopes import Scope, Tier
from app.cli.common import console, run_refusable
from app.core.config import Settings
from app.core.vault import SecretVault
from app.jurisdictions.errors import AreaNotFound
from app.oauth import service

clients_cli = typer.Typer(help="OAuth2 clients of the hub.", no_args_is_help=True)
keys_cli = typer.Typer(help="Access-token signing keys.", no_args_is_help=True)
T = TypeVar("T")


def _run(work: Callable[[AsyncSession, Settings], Awaitable[T]], *, write: bool = True) -> T:
    return run_refusable(
        work, refusals=(service.ClientRefused, AreaNotFound), missing="no such client", write=write
    )


def _show_secret(client_id: str, secret: str | None) -> None:
    console.print(f"client_id:     {client_id}")
    if secret is not None:
        console.print(f"client_secret: {secret}   (shown once; only its hash is stored)")


@clients_cli.command("create")
def create(
    tier: Tier = typer.Option(..., help="city, district, street or vendor."),
    area: str = typer.Option(..., help="Jurisdiction code of the client's area."),
    name: str = typer.Option(..., help="Who the client is, e.g. 'Changning ops centre'."),
    scope: list[Scope] = typer.Option(
        None, help="Allowed scope (repeat); default: every scope of the tier."
    ),
    resource_server: bool = typer.Option(False, help="May introspect tokens."),
) -> None:
    """Register a client; prints its id and secret (the secret only this once)."""

    async def work(session: AsyncSession, settings: Settings) -> service.NewClient:
        return await service.create_client(
            session, city_principal(settings.city_code), name=name, tier=tier, area_code=area,
            scopes={str(s) for s in scope} if scope else None, resource_server=resource_server,
        )  # fmt: skip

    created = _run(work)
    _show_secret(created.client.client_id, created.secret)
    console.print(f"tier {created.client.tier}, area {created.client.area_code}, "
                  f"scopes {created.client.scopes}")  # fmt: skip


@clients_cli.command("list")
def list_clients() -> None:
    """List clients (never their secrets)."""

    async def work(session: AsyncSession, settings: Settings) -> list[list[str]]:
        rows = await service.list_clients(
            session, city_principal(settings.city_code), after_id=None, limit=10_000
        )
        return [
            [r.client_id, r.name, r.tier, r.area_code, r.auth_method,
             "disabled" if r.disabled_at else "active", r.scopes]
            for r in rows
        ]  # fmt: skip

    table = Table()
    for column in ("client_id", "name", "tier", "area", "auth", "state", "scopes"):
        table.add_column(column)
    for row in _run(work, write=False):
        table.add_row(*row)
    console.print(table)


@clients_cli.command("rotate")
def rotate(client_id: str = typer.Argument(..., help="The client to give a new secret.")) -> None:
    """Give a client a new secret; the old one stops working at once."""

    async def work(session: AsyncSession, settings: Settings) -> service.NewClient:
        return await service.rotate_secret(session, city_principal(settings.city_code), client_id)

    rotated = _run(work)
    _show_secret(rotated.client.client_id, rotated.secret)


@clients_cli.command("disable")
def disable(client_id: str = typer.Argument(..., help="The client to disable.")) -> None:
    """Disable a client: no new tokens; live ones refused by every API process within 15 s."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        client = await service.disable_client(
            session, city_principal(settings.city_code), client_id
        )
        return client.client_id

    console.print(f"disabled {_run(work)}")


@keys_cli.command("rotate")
def rotate_keys() -> None:
    """Rotate signing keys: next becomes current; tokens already issued stay valid."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return await keystore.rotate_keys(
            session, SecretVault(settings.secret_key.get_secret_value())
        )

    console.print(f"signing with key {_run(work)} (every API process within 15 s)")
