"""The `pilehub` command line: the root typer app, assembled from one module per command
group. Those modules share `app.cli.common` and never import this one."""

from __future__ import annotations

import typer

from app.cli.clients import clients_cli, keys_cli
from app.cli.demo import demo
from app.cli.energy import energy_cli
from app.cli.generate import generate_cli
from app.cli.operators import operators_cli
from app.cli.processes import migrate, serve, worker
from app.cli.quarantine import quarantine_cli
from app.cli.screens import screens_cli
from app.cli.simulate import simulate_cli

cli = typer.Typer(help="PileHub: the EV charging data-sharing hub.", no_args_is_help=True)
cli.command()(migrate)
cli.command()(serve)
cli.command()(worker)
cli.command()(demo)
cli.add_typer(simulate_cli, name="simulate")
cli.add_typer(operators_cli, name="operators")
cli.add_typer(quarantine_cli, name="quarantine")
cli.add_typer(clients_cli, name="clients")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(screens_cli, name="screens")
cli.add_typer(energy_cli, name="energy")
cli.add_typer(generate_cli, name="generate")


def main() -> None:
    cli()
