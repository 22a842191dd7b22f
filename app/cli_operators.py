"""`pilehub operators ...` and `pilehub quarantine ...`: connect operators, see what was refused."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import orjson
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from app.core.config import Settings
from app.core.db import Database
from app.core.pagination import PageParams
from app.ingest import quarantine
from app.operators import service
from app.operators.schemas import OperatorOnboard
from app.operators.vault import SecretVault

operators_cli = typer.Typer(help="Connect operator platforms (T/CEC 102).", no_args_is_help=True)
quarantine_cli = typer.Typer(help="Records the hub refused.", no_args_is_help=True)
console = Console()


def _settings() -> Settings:
    from app.cli import load_settings  # app.cli imports this module to register it

    return load_settings()


@operators_cli.command("add")
def add(
    operator_id: str = typer.Option(..., help="The operator's 9-character OperatorID."),
    name: str = typer.Option(..., help="The operator's name."),
    base_url: str = typer.Option(..., help="Its interface root, e.g. https://host/evcs/v1/"),
    secrets_file: Path = typer.Option(
        ...,
        help='JSON {"inbound": {...}, "outbound": {...}}, each with operator_secret, '
        "data_secret, data_secret_iv, sig_secret; '-' reads standard input.",
    ),
    pull_interval: int = typer.Option(300, help="Seconds between pulls."),
    replace: bool = typer.Option(False, help="Replace an existing connection's settings."),
) -> None:
    """Connect an operator. Secrets are read from a file, stored encrypted, never printed."""
    settings = _settings()
    raw = sys.stdin.buffer.read() if str(secrets_file) == "-" else secrets_file.read_bytes()
    try:
        secrets = orjson.loads(raw)
        data = OperatorOnboard.model_validate(
            {
                "operator_id": operator_id,
                "name": name,
                "base_url": base_url,
                "pull_interval_seconds": pull_interval,
                **secrets,
            }
        )
    except (orjson.JSONDecodeError, ValidationError, TypeError) as exc:
        # Name the fields at fault, never their values.
        problems = (
            [".".join(map(str, e["loc"])) + ": " + e["msg"] for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else ["the secrets file is not a JSON object"]
        )
        console.print("[red]refused:[/red] " + "; ".join(problems))
        raise typer.Exit(2) from None

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            async with database.session(write=True) as session:
                await service.onboard_operator(
                    session,
                    SecretVault(settings.secret_key.get_secret_value()),
                    data,
                    replace=replace,
                )
        finally:
            await database.dispose()

    asyncio.run(run())
    console.print(
        f"[green]connected[/green] {operator_id} at {base_url} (secrets stored encrypted)"
    )


@operators_cli.command("list")
def list_() -> None:
    """List connected operators (without secrets)."""
    settings = _settings()

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            async with database.session() as session:
                operators = await service.list_operators(session)
        finally:
            await database.dispose()
        table = Table("operator", "name", "base url", "enabled", "pull every")
        for op in operators:
            table.add_row(
                op.operator_id,
                op.name,
                op.base_url,
                str(op.enabled),
                f"{op.pull_interval_seconds}s",
            )
        console.print(table)

    asyncio.run(run())


@quarantine_cli.command("list")
def list_quarantine(
    operator_id: str | None = typer.Option(None, help="Only this operator."),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """List refused records with their reasons, newest first."""
    settings = _settings()

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            async with database.session() as session:
                page = await quarantine.list_quarantine(
                    session, operator_id=operator_id, page=PageParams(after_id=None, limit=limit)
                )
        finally:
            await database.dispose()
        table = Table("id", "received", "operator", "source", "reason")
        for item in page.items:
            table.add_row(
                str(item.id),
                item.received_at.isoformat(timespec="seconds"),
                item.operator_id or "-",
                item.source,
                item.reason,
            )
        console.print(table)

    asyncio.run(run())
