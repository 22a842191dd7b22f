"""`pilehub operators ...`: connect operator platforms."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import orjson
import typer
from pydantic import ValidationError
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from app.cli.common import console, in_session, load_settings
from app.core.vault import SecretVault
from app.operators import service
from app.operators.schemas import OperatorOnboard

operators_cli = typer.Typer(help="Connect operator platforms (T/CEC 102).", no_args_is_help=True)


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
    settings = load_settings()
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

    async def run(session: AsyncSession) -> None:
        await service.onboard_operator(
            session, SecretVault(settings.secret_key.get_secret_value()), data, replace=replace
        )

    asyncio.run(in_session(settings, run, write=True))
    console.print(
        f"[green]connected[/green] {operator_id} at {base_url} (secrets stored encrypted)"
    )


@operators_cli.command("list")
def list_() -> None:
    """List connected operators (without secrets)."""
    settings = load_settings()

    async def run() -> None:
        operators = await in_session(settings, service.list_operators)
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
