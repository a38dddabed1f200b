"""Helpers shared by the `pochuan` subcommands: the store of the app, JSON on stdout only."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app

from .store import Store, get_store

__all__ = ["app_store", "emit", "say", "json_option"]

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON only on stdout.")


def app_store() -> Store:
    """Return the store named by the current app's configuration."""
    return get_store(current_app.config)


def emit(data, as_json: bool, human=None) -> None:
    """Print data as JSON on stdout, or as human text through `human(data)`."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
    elif human is not None:
        human(data)
    else:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def say(message: str) -> None:
    """Print a human message on stderr, keeping stdout for data."""
    click.echo(message, err=True)
