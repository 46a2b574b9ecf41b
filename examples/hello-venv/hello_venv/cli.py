"""A tiny command that proves its venv works."""

import sys

import click


@click.command()
@click.option("--name", default="world", help="Who to greet.")
def main(name: str) -> None:
    """Greet NAME and say where the interpreter lives."""
    click.echo(f"Hello, {name}! (python {sys.version_info[0]}.{sys.version_info[1]} at {sys.prefix})")
