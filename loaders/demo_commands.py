"""`pochuan demo-data`: write the demo fraud case (input files and truth.json) into a folder."""
from __future__ import annotations

import click

from graphsvc.cliutil import emit, json_option, say
from graphsvc.errors import BadInput

__all__ = ["register"]


@click.command("demo-data")
@click.option("--size", type=click.Choice(["small", "medium", "large"]), default="small", show_default=True,
              help="small ~20k transfers, medium ~200k, large >= 1,000,000.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same size and seed give the same bytes.")
@json_option
@click.argument("out_dir", type=click.Path(file_okay=False))
def demo_data(size, seed, as_json, out_dir):
    """生成演示案件 Write a realistic fraud case (bank replies, seizures, reports...) and its ground truth."""
    from pathlib import Path

    from .demo import generate

    target = Path(out_dir)
    if target.exists() and any(p.name != "truth.json" and p.is_file() and not p.name.startswith(".")
                               for p in target.iterdir()) and not (target / "truth.json").exists():
        raise BadInput(f"{target} is not empty and holds no demo case", "choose an empty folder 请选择空目录")
    say(f"生成演示案件 generating the {size} demo case (seed {seed}) in {target} ...")
    summary = generate(target, size, seed)
    emit(summary, as_json, lambda s: say(
        f"{s['case']}: {s['transfers']:,} transfers ({s['rows']:,} rows), {s['cash']:,} cash, {s['persons']:,} persons, "
        f"{s['cards']:,} cards, {s['gangs']} gangs, {s['files']} files in {s['seconds']} s; truth in "
        f"{target / 'truth.json'}"))


def register(cli):
    """Add `demo-data` to the pochuan command group."""
    cli.add_command(demo_data)
