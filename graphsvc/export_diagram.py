"""Layered diagrams (SVG, PNG, PDF) drawn by Graphviz `dot` with rank constraints, like a police chart.

Tiers top to bottom: 金主, 骨干/卡商, 一级卡 (victims beside them), 二级卡, 三级卡, 取现 cards, then
cash-out persons and ATMs; 卡农 and devices sit next to the cards they are linked to.
"""
from __future__ import annotations

import html
import shutil

import graphviz

from .errors import PochuanError
from .export_layout import chart_tier, near_tiers
from .export_style import EDGE_NAMES, FONT, FONT_STACK, TYPE_SHAPES, color_of, legend_items, role_of, type_name

__all__ = ["build_dot", "layout", "drawing_chart", "render", "drawn_edges", "MAX_INCHES", "DPI", "LARGE_CHART"]

MAX_INCHES = 64     # PNG/SVG/PDF are scaled down to fit this many inches a side (PNG <= 6144 px at DPI)
DPI = 96
LABEL_EDGES_UP_TO = 400  # above this, amounts on arrows would hide the chart (and slow the layout)
LARGE_CHART = 300        # above this many nodes, holds/uses links stay in the tables, not on the chart
_LARGE_CHART_SKIPS = ("HOLDS", "USES", "RESERVED")
VICTIMS_GROUPED_OVER = 12  # more victims than this: one box per card they paid, names in the tables


def _yuan(v) -> str:
    """Format an amount as 万元 when large, as police reports do."""
    v = float(v or 0)
    return f"¥{v / 1e4:.1f}万" if v >= 1e4 else f"¥{v:,.0f}"


def _node_label(node: dict) -> str:
    """Return the text of a node: role, display label, and the key when the label hides it."""
    role = role_of(node)
    label, key = str(node.get("label") or node.get("key")), str(node.get("key") or "")
    head, _, rest = label.partition(" ")
    lines = [f"【{role}】" if role else f"[{type_name(node.get('type', ''))}]"]
    lines += [head, rest] if len(label) > 14 and rest else [label]  # two short lines keep the chart narrow
    if key and key not in label and node.get("type") in ("card", "phone", "device", "person"):
        lines.append(key)
    if node.get("amount"):
        lines.append(_yuan(node["amount"]))
    return "\n".join(lines)


def _header(meta: dict, chart: dict, size: int) -> str:
    """Return the HTML-like label on top of the chart: title, case, date, user, counts and the legend."""
    e = html.escape
    swatches = "".join(f'<TD BGCOLOR="{c}" WIDTH="18"> </TD><TD ALIGN="LEFT">{e(zh)} {e(en)}</TD>'
                       for c, zh, en in legend_items())
    counts = f"成员 members: {len(chart['members'])}　受害人 victims: {chart['victim_count']}"
    if chart.get("truncated"):
        counts += "　(结果已截断 truncated)"
    if len(chart["nodes"]) > LARGE_CHART:
        counts += "　大图只画资金与开户关系，持卡/设备关系见表格 large chart: holds/uses links are in the tables"
    return (f'<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="3">'
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{size + 8}"><B>{e(meta["title"])}</B></FONT></TD></TR>'
            f'<TR><TD ALIGN="LEFT">案件编号 case: {e(meta["case"])}　导出日期 date: {e(meta["date"])}'
            f'　导出人 exported by: {e(meta["user"])}　{counts}</TD></TR>'
            f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="1"><TR>'
            f'<TD ALIGN="LEFT">图例 legend:</TD>{swatches}</TR></TABLE></TD></TR></TABLE>>')


def _lay_out_edge(chart: dict, e: dict) -> tuple[str, str, bool]:
    """Return (tail, head, reversed) so arrows point down the chart; arrowheads keep the true direction."""
    a, b = chart["by_id"][e["from"]], chart["by_id"][e["to"]]
    ta, tb = chart_tier(a), chart_tier(b)
    backwards = (ta is not None and tb is not None and ta > tb) or (
        e.get("type") in ("USES", "RESERVED") and a.get("type") == "card" and b.get("type") in ("device", "phone"))
    return (e["to"], e["from"], True) if backwards else (e["from"], e["to"], False)


_EDGE_STYLE = {"TRANSFER": {"color": "#1f4e79", "penwidth": "1.6"}, "CASH": {"color": "#229954", "penwidth": "1.4"},
               "PAID_TO": {"color": "#c0392b", "penwidth": "1.4"}, "OWNS": {"color": "#7d6608", "style": "dashed"},
               "HOLDS": {"color": "#935116", "style": "dotted", "penwidth": "1.4"},
               "USES": {"color": "#909497", "style": "dashed", "arrowsize": "0.6"}}


def _merge_edges(edges: list[dict]) -> list[dict]:
    """Add up edges that now join the same two boxes with the same type."""
    out: dict[tuple, dict] = {}
    for e in edges:
        k = (e["from"], e["to"], e.get("type"))
        if k in out:
            m = out[k]
            m["count"] = (m.get("count") or 1) + (e.get("count") or 1)
            m["sum"] = (m.get("sum") or 0) + (e.get("sum") or 0)
        else:
            out[k] = dict(e)
    return list(out.values())


def drawing_chart(chart: dict) -> dict:
    """Return the chart as drawn: each victim box stands for its reports; many victims grouped per card paid."""
    by_id = dict(chart["by_id"])
    filed = {e["to"]: e["from"] for e in chart["edges"] if e.get("type") == "FILED"
             and by_id[e["from"]].get("victim") and by_id[e["to"]].get("type") == "report"}
    edges = [{**e, "from": filed.get(e["from"], e["from"]), "to": filed.get(e["to"], e["to"])}
             for e in chart["edges"] if not (e.get("type") == "FILED" and e["to"] in filed)]
    for rid in filed:
        by_id.pop(rid)
    victims = [n for n in by_id.values() if n.get("victim")]
    if len(victims) > VICTIMS_GROUPED_OVER:
        group = _victim_groups(victims, edges, by_id)
        edges = [{**e, "from": group.get(e["from"], e["from"])} for e in edges if e["to"] not in group]
    edges = _merge_edges(edges)
    nodes = [n for n in by_id.values()]
    return {**chart, "nodes": nodes, "edges": edges, "by_id": by_id}


def _victim_groups(victims: list[dict], edges: list[dict], by_id: dict) -> dict[str, str]:
    """Replace victims by one box per card they paid (names, count, amount); return victim id -> box id."""
    paid: dict[str, str] = {}
    for e in edges:
        if e["from"] in by_id and by_id[e["from"]].get("victim") and e.get("type") in ("PAID_TO", "TRANSFER"):
            paid.setdefault(e["from"], e["to"])
    boxes: dict[str, list[dict]] = {}
    for v in victims:
        boxes.setdefault(paid.get(v["id"], "none"), []).append(v)
    group = {}
    for target, members in boxes.items():
        box = f"victims:{target}"
        names = [str((v.get("props") or {}).get("name") or (v.get("props") or {}).get("victim_name")
                     or v.get("label") or v.get("key")).split(" ")[0] for v in members]
        shown = "、".join(names[:3]) + ("等" if len(names) > 3 else "")
        by_id[box] = {"id": box, "type": "person", "key": "", "label": f"{len(members)}人 {shown}", "victim": True,
                      "role": None, "props": {}}
        for v in members:
            group[v["id"]] = box
            by_id.pop(v["id"], None)
    return group


def _graph_attrs(g: graphviz.Digraph, chart: dict, meta: dict) -> None:
    """Set page, fonts and layout effort; big charts trade crossing reduction for speed (<= 10 s at 500)."""
    n = len(chart["nodes"])
    big = n > 150
    size = 14 if not big else 14 + min(n // 40, 30)
    fast = {"mclimit": "0.05", "nslimit": "0.5", "nslimit1": "0.5", "searchsize": "5", "remincross": "false",
            "splines": "polyline"} if big else {"mclimit": "1", "splines": "spline"}
    g.attr(rankdir="TB", newrank="true", ranksep="0.9" if big else "0.6", nodesep="0.15" if big else "0.3",
           fontname=FONT, fontsize=str(size), labelloc="t", labeljust="l", label=_header(meta, chart, size),
           size=f"{MAX_INCHES},{MAX_INCHES}", pad="0.4", outputorder="edgesfirst", **fast)
    g.attr("node", fontname=FONT, fontsize="10", style="filled", margin="0.08,0.04", penwidth="0.8")
    g.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7")


def _add_nodes(g: graphviz.Digraph, chart: dict, name: dict) -> dict[float, list[str]]:
    """Draw the nodes and return the dot names of each tier."""
    tiers: dict[float, list[str]] = {}
    near = near_tiers(chart)
    for n in chart["nodes"]:
        color = color_of(n)
        g.node(name[n["id"]], _node_label(n), shape=TYPE_SHAPES.get(n.get("type"), "box"), fillcolor=color,
               fontcolor="white" if color in ("#c0392b", "#1f4e79", "#2e86c1", "#229954") else "black",
               tooltip=f"{type_name(n.get('type', ''))} {n.get('key', '')}")
        tier = chart_tier(n)
        tier = near.get(n["id"]) if tier is None else tier
        if tier is not None:
            tiers.setdefault(tier, []).append(name[n["id"]])
    return tiers


def drawn_edges(chart: dict) -> list[dict]:
    """Return the edges a chart draws: all of them, or on a large chart money and ownership only."""
    if len(chart["nodes"]) <= LARGE_CHART:
        return chart["edges"]
    return [e for e in chart["edges"] if e.get("type") not in _LARGE_CHART_SKIPS]


def build_dot(chart: dict, meta: dict) -> graphviz.Digraph:
    """Return the Graphviz graph of a prepared chart."""
    return _build(chart, meta)[0]


def layout(chart: dict, meta: dict) -> tuple[dict, dict[str, tuple[float, float]]]:
    """Return the drawn chart and each box's position in inches (y downwards), as laid out for the PNG/PDF."""
    g, drawn, name = _build(chart, meta)
    ids = {v: k for k, v in name.items()}
    pos = {}
    for line in g.pipe(format="plain", encoding="utf-8").splitlines():
        parts = line.split(" ", 4)
        if parts[0] == "node" and parts[1] in ids:
            pos[ids[parts[1]]] = (float(parts[2]), -float(parts[3]))
    return drawn, pos


def _build(chart: dict, meta: dict) -> tuple[graphviz.Digraph, dict, dict[str, str]]:
    """Return the Graphviz graph, the drawn chart and the dot name of each node id."""
    g = graphviz.Digraph("chart", engine="dot")
    _graph_attrs(g, chart, meta)
    chart = drawing_chart(chart)
    name = {n["id"]: f"n{i}" for i, n in enumerate(chart["nodes"])}  # ids hold ':' which dot reads as a port
    tiers = _add_nodes(g, chart, name)
    edges = drawn_edges(chart)
    parents: dict[str, list[str]] = {}
    for e in edges:
        if e.get("type") in ("TRANSFER", "PAID_TO", "CASH", "HOLDS"):
            parents.setdefault(name[e["to"]], []).append(name[e["from"]])
    _order_tiers(tiers, parents)
    row_of = _add_tier_spine(g, tiers, max(6, int(0.9 * len(chart["nodes"]) ** 0.5)))
    label_edges = len(edges) <= LABEL_EDGES_UP_TO
    for e in edges:
        tail, head, back = _lay_out_edge(chart, e)
        attrs = dict(_EDGE_STYLE.get(e.get("type"), {"color": "#566573"}))
        ra, rb = row_of.get(name[tail]), row_of.get(name[head])
        if ra is not None and rb is not None and ra > rb:  # rows decide: arrows down, heads kept true
            tail, head, back = head, tail, not back
        if ra is not None and ra == rb:
            attrs["constraint"] = "false"
        if back:
            attrs["dir"] = "back"
        if label_edges and e.get("type") in ("TRANSFER", "CASH", "PAID_TO") and e.get("sum"):
            attrs["xlabel"] = f"{_yuan(e['sum'])}" + (f" ({e['count']}笔)" if (e.get("count") or 1) > 1 else "")
        attrs["tooltip"] = EDGE_NAMES.get(e.get("type"), e.get("type", ""))
        g.edge(name[tail], name[head], **attrs)
    return g, chart, name


def _rows(tier_nodes: list[str], width: int) -> list[list[str]]:
    """Split a tier into rows of at most `width` nodes, so a big gang wraps instead of growing sideways."""
    return [tier_nodes[i:i + width] for i in range(0, len(tier_nodes), width)] or [[]]


def _order_tiers(tiers: dict[int, list[str]], parents: dict[str, list[str]]) -> None:
    """Order each tier under its parents (left to right), so wrapped rows keep money chains together."""
    pos: dict[str, int] = {}
    for t in sorted(tiers):
        keyed = [(min((pos[p] for p in parents.get(n, []) if p in pos), default=10**9), i, n)
                 for i, n in enumerate(tiers[t])]
        tiers[t] = [n for _, _, n in sorted(keyed)]
        pos.update({n: i for i, n in enumerate(tiers[t])})


def _add_tier_spine(g: graphviz.Digraph, tiers: dict[float, list[str]], width: int) -> dict[str, int]:
    """Pin each tier (wrapped into rows) to its own rank, in chart order; return each node's row number."""
    spine, row_of = [], {}
    for t in sorted(tiers):
        for r, row in enumerate(_rows(tiers[t], width)):
            with g.subgraph() as s:
                s.attr(rank="same")
                s.node(f"__tier{t:g}_{r}", "", style="invis", width="0", height="0", fixedsize="true")
                for nid in row:
                    s.node(nid)
                    row_of[nid] = len(spine)
            spine.append(f"__tier{t:g}_{r}")
    for a, b in zip(spine, spine[1:]):
        g.edge(a, b, style="invis", weight="20")
    return row_of


def render(chart: dict, meta: dict, fmt: str, font_stack: bool = True, dpi: int = DPI) -> bytes:
    """Return the diagram as SVG, PNG or PDF bytes (text kept as text in SVG and PDF, fonts embedded in PDF)."""
    if not shutil.which("dot"):
        raise PochuanError("Graphviz `dot` is not installed", "apt-get install graphviz (make install does it)")
    g = build_dot(chart, meta)
    if fmt == "png":
        g.attr(dpi=str(dpi))  # only the bitmap: SVG and PDF keep points (1/72 inch)
    renderer = "cairo" if fmt in ("png", "pdf") else None
    out = g.pipe(format=fmt, renderer=renderer)
    if fmt == "svg" and font_stack:  # office PCs lack Noto: let viewers fall back to YaHei, PingFang...
        out = out.replace(f'font-family="{FONT}'.encode(), f'font-family="{FONT_STACK}'.encode())
    return out
