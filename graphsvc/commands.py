"""`pochuan db ...`, `pochuan stats` and `pochuan settings`: the store from the command line."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .cliutil import app_store, emit, json_option, say
from .embedded import EmbeddedServer
from .settings import SETTINGS
from .stats import case_stats

__all__ = ["register"]


@click.group("db")
def db_group():
    """Start, stop and inspect the graph store."""


@db_group.command("start")
@json_option
@with_appcontext
def db_start(as_json):
    """Start the embedded store (or check the configured one answers) and create the schema."""
    info = app_store().info()
    emit(info, as_json, lambda d: say(f"store ready: {d['backend']} at {d['where']} "
                                      f"({d['nodes']} nodes, {d['relationships']} relationships)"))


@db_group.command("stop")
@json_option
@with_appcontext
def db_stop(as_json):
    """Stop the embedded FalkorDB server of the data folder."""
    if current_app.config.get("POCHUAN_GRAPH_URL"):
        raise click.UsageError("POCHUAN_GRAPH_URL names an external store: pochuan does not stop it")
    stopped = EmbeddedServer(current_app.config["POCHUAN_DATA"]).stop()
    emit({"stopped": stopped}, as_json, lambda d: say("stopped" if stopped else "no server was running"))


@db_group.command("status")
@json_option
@with_appcontext
def db_status(as_json):
    """Show whether the store runs, and its counts."""
    if current_app.config.get("POCHUAN_GRAPH_URL"):
        data = {"running": True, **app_store().info()}
    else:
        data = EmbeddedServer(current_app.config["POCHUAN_DATA"]).status()
        if data["running"]:
            data.update(app_store().info())
    emit(data, as_json, lambda d: say("\n".join(f"{k}: {v}" for k, v in d.items())))


@click.command("stats")
@click.option("--case", "case", required=True, help="Case number (案件编号).")
@json_option
@with_appcontext
def stats_command(case, as_json):
    """Count persons, cards, phones, devices, transfers and cash events of a case."""
    emit(case_stats(app_store(), case), as_json, lambda d: say("\n".join(f"{k}: {v}" for k, v in d.items())))


@click.command("settings")
@json_option
@with_appcontext
def settings_command(as_json):
    """List every setting with its current value, default and help."""
    rows = [{"name": s.name, "value": "***" if "PASSWORD" in s.name or "SECRET" in s.name else
             current_app.config.get(s.name), "default": s.default, "help": s.help} for s in SETTINGS]
    emit(rows, as_json, lambda d: [say(f"{r['name']}={r['value']}\n    {r['help']}") for r in d])


def register(cli: click.Group) -> None:
    """Add these commands to the `pochuan` group."""
    for cmd in (db_group, stats_command, settings_command):
        cli.add_command(cmd)
