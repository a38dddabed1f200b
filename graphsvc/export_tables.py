"""Tables and graph files: members with roles and transfers as CSV/XLSX, the whole chart as GraphML.

CSV is UTF-8 with a byte-order mark so Excel on a Chinese office PC opens it without garbling names.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx

from .errors import BadInput
from .export_style import EDGE_NAMES, role_of, type_name

__all__ = ["member_rows", "transfer_rows", "link_rows", "write_csv", "write_xlsx", "write_graphml", "TABLES",
           "to_networkx"]

MEMBER_COLUMNS = ("序号 no", "类别 kind", "角色 role", "类型 type", "名称 name", "标识 key", "银行 bank",
                  "户名 owner", "证件号 owner id", "层级 layer", "金额 amount")
TRANSFER_COLUMNS = ("序号 no", "类型 type", "付款方 from", "付款方名称 from name", "收款方 to", "收款方名称 to name",
                    "笔数 count", "金额 sum", "首笔 first", "末笔 last")
LINK_COLUMNS = ("序号 no", "关系 link", "起点 from", "起点名称 from name", "终点 to", "终点名称 to name", "次数 count")
_MONEY = ("TRANSFER", "CASH", "PAID_TO", "PAID_FROM")


def member_rows(chart: dict) -> list[list]:
    """Return one row per member, then per victim, in chart order."""
    rows = []
    for i, n in enumerate(chart["members"] + chart["victims"], 1):
        p = n.get("props") or {}
        rows.append([i, "受害人 victim" if n.get("victim") else "成员 member", role_of(n) or "",
                     type_name(n.get("type", "")), n.get("label") or p.get("name") or "", n.get("key") or "",
                     p.get("bank") or "", p.get("owner_name") or p.get("name") or "", p.get("owner_id") or "",
                     "" if n.get("layer") is None else n["layer"], "" if n.get("amount") is None else n["amount"]])
    return rows


def _end(chart: dict, node_id: str) -> tuple[str, str]:
    """Return the key and display name of an edge end."""
    n = chart["by_id"][node_id]
    return n.get("key") or node_id, n.get("label") or ""


def transfer_rows(chart: dict) -> list[list]:
    """Return money movements (transfers, cash, victims' payments), largest first."""
    money = sorted((e for e in chart["edges"] if e.get("type") in _MONEY), key=lambda e: -float(e.get("sum") or 0))
    return [[i, EDGE_NAMES.get(e["type"], e["type"]), *_end(chart, e["from"]), *_end(chart, e["to"]),
             e.get("count") or 1, round(float(e.get("sum") or 0), 2), e.get("first") or "", e.get("last") or ""]
            for i, e in enumerate(money, 1)]


def link_rows(chart: dict) -> list[list]:
    """Return the other links (owns, holds, uses...)."""
    links = [e for e in chart["edges"] if e.get("type") not in _MONEY]
    return [[i, EDGE_NAMES.get(e.get("type"), e.get("type", "")), *_end(chart, e["from"]), *_end(chart, e["to"]),
             e.get("count") or 1] for i, e in enumerate(links, 1)]


TABLES = {"members": (MEMBER_COLUMNS, member_rows), "transfers": (TRANSFER_COLUMNS, transfer_rows),
          "links": (LINK_COLUMNS, link_rows)}


def write_csv(chart: dict, path: Path, meta: dict, table: str = "members") -> None:
    """Write one table (members, transfers or links) as CSV."""
    if table not in TABLES:
        raise BadInput(f"unknown table {table!r}", f"one of {', '.join(TABLES)}", field="table")
    columns, rows = TABLES[table]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(rows(chart))


def write_xlsx(chart: dict, path: Path, meta: dict) -> None:
    """Write a workbook: 说明 (case, date, user), 成员 members, 资金 transfers, 关系 links."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    info = wb.create_sheet("说明 info")
    for k, label in (("title", "标题 title"), ("case", "案件编号 case"), ("date", "导出日期 date"),
                     ("user", "导出人 exported by")):
        info.append([label, meta.get(k, "")])
    info.append(["成员 members", len(chart["members"])])
    info.append(["受害人 victims", len(chart["victims"])])
    for title, table in (("成员 members", "members"), ("资金 transfers", "transfers"), ("关系 links", "links")):
        ws = wb.create_sheet(title)
        columns, rows = TABLES[table]
        ws.freeze_panes = "A2"
        ws.append(columns)
        for row in rows(chart):
            ws.append(row)
    wb.save(path)


def _attrs(d: dict, prefix: str = "") -> dict:
    """Flatten properties to text, as GraphML keys need one type across all nodes; lists become JSON."""
    out = {}
    for k, v in d.items():
        if v is None:
            continue
        out[f"{prefix}{k}"] = json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (list, dict, tuple)) \
            else str(v)
    return out


def _num(v, kind=float):
    """Return v as a number of one type, or None."""
    try:
        return None if v is None or v == "" else kind(v)
    except (TypeError, ValueError):
        return None


def _typed(d: dict) -> dict:
    """Drop empty values, keeping numbers typed so Gephi can size and filter by them."""
    return {k: v for k, v in d.items() if v is not None}


def to_networkx(chart: dict, meta: dict) -> nx.MultiDiGraph:
    """Return the chart as a networkx graph with flat attributes (label is what Gephi and yEd show)."""
    g = nx.MultiDiGraph(**_attrs(meta))
    for n in chart["nodes"]:
        g.add_node(n["id"], **_attrs({"label": n.get("label") or n.get("key"), "type": n.get("type"),
                                      "key": n.get("key"), "role": role_of(n) or ""}),
                   **_typed({"layer": _num(n.get("layer"), int), "amount": _num(n.get("amount")),
                             "victim": bool(n.get("victim"))}), **_attrs(n.get("props") or {}, "p_"))
    for e in chart["edges"]:
        g.add_edge(e["from"], e["to"], key=e.get("id"),
                   **_attrs({"type": e.get("type"), "label": EDGE_NAMES.get(e.get("type"), e.get("type")),
                             "first": e.get("first"), "last": e.get("last")}),
                   **_typed({"count": _num(e.get("count"), int), "sum": _num(e.get("sum"))}),
                   **_attrs(e.get("props") or {}, "p_"))
    return g


def write_graphml(chart: dict, path: Path, meta: dict) -> None:
    """Write the chart as GraphML (opens in Gephi and yEd; map `label` to the node label in yEd)."""
    nx.write_graphml(to_networkx(chart, meta), path, encoding="utf-8", prettyprint=True)
