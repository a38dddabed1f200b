"""`pochuan search|neighbours|trace|paths|freeze|gangs|clusters|alerts`: the analytics on the command line."""
from __future__ import annotations

import getpass
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from . import analytics
from .audit import record
from .cliutil import app_store, emit, json_option, say

__all__ = ["register"]

case_option = click.option("--case", "case", required=True, help="Case number (案件编号).")


def _user() -> str:
    """Return who runs the command, for the audit trail."""
    return os.environ.get("USER") or getpass.getuser() or "cli"


def _audit(action: str, case: str, what: dict) -> None:
    """Record a CLI action in the audit trail of the data folder."""
    record(current_app.config["POCHUAN_DATA"], _user(), action, case, what)


def _graph_text(g: dict) -> None:
    """Print a graph result as readable lines on stderr."""
    for n in g["nodes"]:
        extra = " ".join(f"{k}={n[k]}" for k in ("layer", "amount", "role") if n.get(k) is not None)
        say(f"{n['type']:9} {n['label']}  {extra}")
    say(f"{len(g['nodes'])} nodes, {len(g['edges'])} edges" + (" (truncated 已截断)" if g.get("truncated") else ""))


@click.command("search")
@case_option
@click.argument("text")
@click.option("--limit", default=20, show_default=True, help="Most results.")
@json_option
@with_appcontext
def search_cmd(case, text, limit, as_json):
    """Find cards, persons, phones, devices by number, ID, name, IMEI/MAC/IP (exact or prefix)."""
    res = analytics.search(app_store(), case, text, limit)
    _audit("search", case, {"text": text})
    emit(res, as_json, lambda d: [say(f"{r['score']:.2f} {r['type']:7} {r['label']}") for r in d["results"]])


@click.command("neighbours")
@case_option
@click.option("--type", "type_", default="card", show_default=True, help="person, card, phone, device, report, cashpoint.")
@click.option("--key", required=True, help="Key of the entity (card number, ID, phone...).")
@click.option("--hops", default=1, show_default=True)
@click.option("--rel", "rels", multiple=True, help="Relationship type to follow (repeatable): TRANSFER, OWNS, USES...")
@click.option("--since", default=None, help="From time (YYYY-MM-DD[ HH:MM:SS]).")
@click.option("--until", default=None, help="Until time.")
@click.option("--min-amount", default=0.0, show_default=True)
@click.option("--cap", default=300, show_default=True, help="Most nodes.")
@json_option
@with_appcontext
def neighbours_cmd(case, type_, key, hops, rels, since, until, min_amount, cap, as_json):
    """Expand around one entity, k hops, filtered by type, time and amount."""
    g = analytics.neighbourhood(app_store(), case, type_, key, hops, list(rels) or None, since, until, min_amount, cap)
    _audit("expand", case, {"type": type_, "key": key, "hops": hops})
    emit(g, as_json, _graph_text)


@click.command("trace")
@case_option
@click.option("--card", default=None, help="Card to start from.")
@click.option("--report", default=None, help="Victim report key to start from (its 一级卡, its amount and time).")
@click.option("--direction", type=click.Choice(["down", "up"]), default="down", show_default=True)
@click.option("--hops", default=4, show_default=True)
@click.option("--max-delay", "max_delay", default=1440, show_default=True, help="Minutes allowed between hops.")
@click.option("--min-amount", default=0.0, show_default=True)
@click.option("--since", default=None, help="Start time for a card trace.")
@json_option
@with_appcontext
def trace_cmd(case, card, report, direction, hops, max_delay, min_amount, since, as_json):
    """Follow money in time order from a card or a report; each account with its layer and attributable amount."""
    g = analytics.trace(app_store(), case, card, direction, hops, max_delay, min_amount, since, report)
    _audit("trace", case, {"card": card, "report": report, "direction": direction, "hops": hops})
    emit(g, as_json, _graph_text)


@click.command("paths")
@case_option
@click.argument("a")
@click.argument("b")
@click.option("--rel", "rels", multiple=True, help="Relationship type allowed (repeatable).")
@click.option("--all", "all_shortest", is_flag=True, help="All shortest paths, not only one.")
@json_option
@with_appcontext
def paths_cmd(case, a, b, rels, all_shortest, as_json):
    """Shortest path(s) between two entities given as type:KEY (card:6222..., person:1101...)."""
    g = analytics.paths(app_store(), case, a, b, list(rels) or None, all_shortest)
    _audit("paths", case, {"a": a, "b": b})
    emit(g, as_json, lambda d: [say(" -> ".join(p)) for p in d["paths"]] or say("no path 无路径"))


@click.command("freeze")
@case_option
@click.option("--report", "reports", multiple=True, help="Report key (repeatable); all reports of the case if none.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="Write a .csv or .xlsx file.")
@json_option
@with_appcontext
def freeze_cmd(case, reports, out, as_json):
    """Freeze list (止付清单): downstream accounts ranked by attributable amount, for the banks."""
    data = analytics.freeze_list(app_store(), case, list(reports) or None)
    if out:
        analytics.write_freeze(data, out)
        _audit("export", case, {"what": "freeze", "file": out})
        say(f"wrote {out} ({len(data['rows'])} rows)")
    _audit("freeze", case, {"reports": list(reports)})
    emit(data, as_json, lambda d: [say(f"{r['card']} {r['bank'] or ''} {r['owner_name'] or ''} {r['amount']:.2f} "
                                       f"{r['last_time']} L{r['layer']}") for r in d["rows"]])


@click.command("gangs")
@case_option
@click.option("--seed", "seeds", multiple=True, help="Entity to start from (repeatable): card, phone, ID, IMEI... or type:KEY.")
@json_option
@with_appcontext
def gangs_cmd(case, seeds, as_json):
    """Gangs with roles (金主 骨干 卡商 卡农 一级卡 ...); with --seed, the gang reached from each seed."""
    data = analytics.gangs(app_store(), case, list(seeds) or None)
    _audit("gangs", case, {"seeds": list(seeds)})

    def human(d):
        for g in d["gangs"]:
            say(f"{g['id']} {g.get('seed') or ''} size {g['size']} flow {g['total_flow']} {g['first']} .. {g['last']}")
            for m in g["members"]:
                say(f"   {m['role'] or '-':4} {m['type']:7} {m['label']}")
            say(f"   victims 受害人: {len(g['victims'])}")

    emit(data, as_json, human)


@click.command("clusters")
@case_option
@click.option("--hub", default=analytics.HUB_DEGREE, show_default=True, help="Users above which an identifier is a hub.")
@json_option
@with_appcontext
def clusters_cmd(case, hub, as_json):
    """Shared-device clusters: who shares an IMEI, MAC, IP or phone (hubs set apart)."""
    data = analytics.clusters(app_store(), case, hub)
    _audit("clusters", case, {})
    emit(data, as_json, lambda d: [say(f"{c['id']} size {c['size']} flow {c['flow']} devices "
                                       f"{', '.join(x['key'] for x in c['devices'])}") for c in d["clusters"][:50]])


@click.command("alerts")
@case_option
@json_option
@with_appcontext
def alerts_cmd(case, as_json):
    """Alerts: high-frequency opening, watch list, holder mismatch, cross-case."""
    data = analytics.alerts(app_store(), case)
    _audit("alerts", case, {})
    emit(data, as_json, lambda d: [say(f"{a['kind']:22} {a['message']}") for a in d["alerts"]])


def register(cli: click.Group) -> None:
    """Add the analytics commands to the `pochuan` group."""
    for cmd in (search_cmd, neighbours_cmd, trace_cmd, paths_cmd, freeze_cmd, gangs_cmd, clusters_cmd, alerts_cmd):
        cli.add_command(cmd)
