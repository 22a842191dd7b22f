"""`pilehub quarantine ...`: see what the hub refused."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from app.cli.common import console, in_session, load_settings
from app.core.pagination import PageParams
from app.ingest import quarantine

quarantine_cli = typer.Typer(help="Records the hub refused.", no_args_is_help=True)


@quarantine_cli.command("list")
def list_quarantine(
    operator_id: str | None = typer.Option(None, help="Only this operator."),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """List refused records with their reasons, newest first."""
    settings = load_settings()

    async def run() -> None:
        page = await in_session(
            settings,
            lambda session: quarantine.list_quarantine(
                session, operator_id=operator_id, page=PageParams(after_id=None, limit=limit)
            ),
        )
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
