"""`pochuan load`: case files of any kind into the graph, with a progress bar and a JSON summary."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from graphsvc.cliutil import app_store, emit, json_option, say

from .api import default_user, load_files
from .mapping import KINDS

__all__ = ["register"]


def _human(rows: list[dict]) -> None:
    """Print one line per file: kind, counts and where the rejects went."""
    for r in rows:
        say(f"{r['file']}: {r['kind']} 读取 read {r['read']}, 导入 loaded {r['loaded']}, "
            f"拒绝 rejected {r['rejected']}" + (f" -> {r['rejects']}" if r["rejected"] else ""))


@click.command("load")
@click.option("--case", "case", required=True, help="Case number (案件编号) the files belong to.")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Kind of rows; detected from the headers if omitted.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), default=None,
              help="YAML mapping naming which column is which (for other layouts).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@json_option
@with_appcontext
def load_command(case, kind, mapping, files, as_json):
    """导入数据 Load case files (CSV, TSV, Excel; UTF-8 or GBK/GB18030) into a case."""
    rows = load_files(app_store(), case, list(files), kind=kind, mapping=mapping,
                      data_dir=current_app.config["POCHUAN_DATA"], progress=True, user=default_user())
    emit(rows, as_json, _human)


def register(cli: click.Group) -> None:
    """Add `pochuan load` to the command group."""
    cli.add_command(load_command)
