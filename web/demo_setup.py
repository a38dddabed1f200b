"""`pochuan demo-setup`: what `make run` does before serving: the demo case, loaded once, and its accounts."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from graphsvc.cliutil import app_store, say
from graphsvc.stats import case_stats

__all__ = ["register"]


def _case_files(folder: Path) -> list[Path]:
    """Return the input files of a demo folder (not its truth.json), in a stable order."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".csv", ".tsv", ".xlsx", ".xls"))


def _load_once(store, data: Path, case: str, folder: Path) -> None:
    """Load a demo case folder unless a marker says it was loaded completely before."""
    from loaders import load_files

    marker = data / "demo" / f".loaded-{case}"
    if marker.exists() and case_stats(store, case)["transfers"] > 0:
        say(f"演示案件 {case} 已载入 already loaded")
        return
    say(f"载入演示案件 loading demo case {case} from {folder} ...")
    summary = load_files(store, case, _case_files(folder), data_dir=data, progress=True, user="demo-setup")
    read = sum(s["read"] for s in summary)
    rejected = sum(s["rejected"] for s in summary)
    say(f"  {len(summary)} files, {read:,} rows read, {rejected:,} rejected (see the dashboard's import batches)")
    marker.write_text(json.dumps(summary, ensure_ascii=False, default=str))


@click.command("demo-setup")
@click.option("--size", type=click.Choice(["small", "medium", "large"]), default="small", show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@with_appcontext
@click.pass_context
def demo_setup(ctx, size, seed):
    """准备演示 Generate the demo case on first start, load it once, and (re)create the demo accounts."""
    from loaders.demo import generate

    from .commands import user_demo

    data = Path(current_app.config["POCHUAN_DATA"]).resolve()
    folder = data / "demo" / f"{size}-{seed}"
    if not (folder / "truth.json").exists():
        say(f"生成演示数据 generating the {size} demo case in {folder} ...")
        generate(folder, size, seed)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    store = app_store()
    case, second = truth["case"], truth.get("second_case") or {}
    _load_once(store, data, case, folder)
    cases = [case]
    if second.get("dir") and (folder / second["dir"]).is_dir():
        _load_once(store, data, second["case"], folder / second["dir"])
        cases.append(second["case"])
    ctx.invoke(user_demo, cases=tuple(cases), as_json=False)
    import os

    host = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
    say(f"\n破串 pochuan 已就绪 ready: {host}\n"
        f"  登录 log in: demo / pochuan-demo (侦查员 investigator), demo-super / pochuan-demo (督导 supervisor),\n"
        f"  demo-loader / pochuan-demo (录入员 loader), demo-admin / pochuan-demo (admin)\n"
        f"  案件 case: {case}\n")


def register(cli: click.Group) -> None:
    """Add `demo-setup` to the pochuan group."""
    cli.add_command(demo_setup)
