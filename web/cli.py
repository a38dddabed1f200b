"""The `pochuan` command: Flask's CLI group, so every subcommand shares the app's configuration."""
from __future__ import annotations

import importlib
import sys

import click
from flask.cli import FlaskGroup

from graphsvc.errors import PochuanError

__all__ = ["cli", "main"]

# Modules that add subcommands through a `register(cli)` function; absent ones are skipped.
COMMAND_MODULES = ("graphsvc.commands", "graphsvc.analytics_commands", "loaders.commands", "loaders.demo_commands",
                   "web.commands", "web.demo_setup", "graphsvc.export_commands")


class PochuanGroup(FlaskGroup):
    """Flask's group that turns pochuan errors into one line on stderr and exit code 2."""

    def invoke(self, ctx):
        """Run the subcommand, reporting known errors without a traceback."""
        try:
            return super().invoke(ctx)
        except PochuanError as e:
            click.echo(f"pochuan: 错误 error: {e}", err=True)
            ctx.exit(2)


def _create_app():
    """Build the app for the CLI."""
    from web import create_app

    return create_app()


cli = PochuanGroup(create_app=_create_app, name="pochuan", add_version_option=False,
                   help="破串 pochuan: graph investigation of telecom and online fraud cases.")

for _name in COMMAND_MODULES:
    try:
        _mod = importlib.import_module(_name)
    except ModuleNotFoundError as e:
        if e.name != _name:
            raise
        continue
    _mod.register(cli)


def main() -> None:
    """Entry point of the `pochuan` console script."""
    cli.main(prog_name="pochuan", args=sys.argv[1:])


if __name__ == "__main__":
    main()
