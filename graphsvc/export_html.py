"""Standalone HTML export: a pyvis network in the project's own template, vis-network inlined.

pyvis's bundled template pulls Bootstrap from a CDN and a `node_modules` path even with
cdn_resources="in_line"; this page has no outside reference and opens on an offline office PC.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pyvis.network import Network

from .export_layout import levels
from .export_style import EDGE_NAMES, FONT_STACK, color_of, legend_items, role_of, type_name

__all__ = ["write_html", "html_text", "TEMPLATES"]

TEMPLATES = Path(__file__).parent / "templates"
_VIS_SHAPES = {"person": "box", "card": "ellipse", "phone": "hexagon", "device": "hexagon", "report": "box",
               "cashpoint": "triangle"}
_DARK = {"#c0392b", "#2e86c1", "#229954", "#7f8c8d"}
# One vendored copy of vis-network (npm vis-network 10.1.5) serves the live pages and the exports.
VIS_JS = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor" / "vis-network" / "vis-network.min.js"
_PX = 100  # screen pixels per inch of the Graphviz layout


@lru_cache(maxsize=1)
def _vis_js() -> str:
    """Return vis-network's standalone build with the URLs of its licence comments written as http:\\/\\/.

    The escape keeps every string the same for JavaScript while the page holds no outside address.
    """
    js = VIS_JS.read_text(encoding="utf-8")
    js = re.sub(r"(https?:)//", r"\1\\/\\/", js)
    return js.replace("</script", "<\\/script")


def _options(n_nodes: int, placed: bool) -> dict:
    """Return vis options: boxes where the printed chart has them, or top-down levels without Graphviz."""
    font = {"face": FONT_STACK.replace("'", ""), "size": 13}
    opts = {
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.6}}, "smooth": {"type": "cubicBezier"},
                  "font": {**font, "size": 11, "align": "middle"}},
        "nodes": {"font": font},
    }
    if placed:
        opts["physics"] = {"enabled": False}
        opts["edges"]["smooth"] = {"type": "curvedCW", "roundness": 0.08}
    else:
        opts["layout"] = {"hierarchical": {"enabled": True, "direction": "UD", "sortMethod": "directed",
                                           "levelSeparation": 150, "nodeSpacing": 170}}
        opts["physics"] = {"enabled": n_nodes <= 150, "hierarchicalRepulsion": {"nodeDistance": 170}}
    return opts


def _placed(chart: dict, meta: dict) -> tuple[dict, dict]:
    """Return the chart as drawn on paper and its positions, or the chart unplaced when Graphviz is missing."""
    from graphviz import ExecutableNotFound

    from .export_diagram import layout

    try:
        return layout(chart, meta)
    except (ExecutableNotFound, OSError):
        return chart, {}


def _net(chart: dict, meta: dict) -> Network:
    """Build the pyvis network of a prepared chart, placed like the printed diagram."""
    net = Network(directed=True, height="100%", width="100%")
    drawn, pos = _placed(chart, meta)
    level = levels(drawn) if not pos else {}
    for n in drawn["nodes"]:
        role, color = role_of(n), color_of(n)
        label = f"{role or type_name(n.get('type', ''))}\n{n.get('label') or n.get('key')}"
        where = {"x": pos[n["id"]][0] * _PX, "y": pos[n["id"]][1] * _PX} if n["id"] in pos else \
            {"level": level.get(n["id"], 0)}
        net.add_node(n["id"], label=label, shape=_VIS_SHAPES.get(n.get("type"), "box"), color=color,
                     font={"color": "white" if color in _DARK else "black"},
                     title=f"{type_name(n.get('type', ''))} {n.get('key', '')}\n{role or ''}", **where)
    for e in drawn["edges"]:
        label = EDGE_NAMES.get(e.get("type"), e.get("type", ""))
        if e.get("sum"):
            label += f" ¥{float(e['sum']):,.0f}"
        net.add_edge(e["from"], e["to"], label=label if len(drawn["edges"]) <= 400 else "",
                     title=f"{label} {e.get('count') or ''}笔 {e.get('first') or ''} ~ {e.get('last') or ''}",
                     dashes=e.get("type") not in ("TRANSFER", "CASH", "PAID_TO"))
    net.options = _options(len(drawn["nodes"]), bool(pos))
    return net


def html_text(chart: dict, meta: dict) -> str:
    """Return the standalone page of a prepared chart."""
    net = _net(chart, meta)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    rows = [{"role": role_of(n) or "", "type": type_name(n.get("type", "")), "label": n.get("label") or "",
             "key": n.get("key") or "", "layer": n.get("layer") if n.get("layer") is not None else "",
             "amount": n.get("amount") if n.get("amount") is not None else ""} for n in chart["nodes"]]
    env.globals.update(meta=meta, vis_js=Markup(_vis_js()), legend=legend_items(), members=chart["members"],
                       victims=chart["victims"], victim_count=chart["victim_count"], rows=rows, truncated=chart["truncated"],
                       font_stack=Markup(FONT_STACK))
    net.templateEnv, net.path = env, "export_graph.html"
    return net.generate_html(name="export.html")


def write_html(chart: dict, path: Path, meta: dict) -> None:
    """Write the standalone page of a prepared chart to path."""
    path.write_text(html_text(chart, meta), encoding="utf-8")
