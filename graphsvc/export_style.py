"""How exported charts look: tiers of roles, colours, shapes and Chinese names, shared by every format.

One table, so the PNG, the HTML page and the report all read the same way as a police chart.
"""
from __future__ import annotations

__all__ = ["TIERS", "ROLE_TIER", "TYPE_NAMES", "ROLE_COLORS", "TYPE_SHAPES", "FONT", "FONT_STACK",
           "VICTIM", "EDGE_NAMES", "legend_items", "role_of", "tier_of", "color_of", "type_name"]

# Top-to-bottom order of the chart: controllers, organisers, the card chain, cash-out.
TIERS = (
    ("金主", "金主 controller"),
    ("骨干", "骨干/卡商 core, dealers"),
    ("一级卡", "一级卡 first-level cards"),
    ("二级卡", "二级卡 second-level cards"),
    ("三级卡", "三级卡 third-level cards"),
    ("取现", "取现 cash-out"),
)
ROLE_TIER = {"金主": 0, "骨干": 1, "卡商": 1, "一级卡": 2, "二级卡": 3, "三级卡": 4, "取现": 5}
VICTIM = "受害人"

TYPE_NAMES = {"person": "人员", "card": "银行卡", "phone": "手机号", "device": "设备", "report": "报案",
              "cashpoint": "取现网点"}
EDGE_NAMES = {"TRANSFER": "转账", "OWNS": "开户/实名", "HOLDS": "持有/扣押", "USES": "使用", "RESERVED": "预留手机",
              "CASH": "取现", "FILED": "报案", "PAID_FROM": "付款卡", "PAID_TO": "被骗转入", "LISTED": "重点人员"}

ROLE_COLORS = {
    "金主": "#c0392b", "骨干": "#e67e22", "卡商": "#d4a017", "卡农": "#8e7cc3",
    "一级卡": "#2e86c1", "二级卡": "#5dade2", "三级卡": "#a9cce3", "取现": "#229954",
    VICTIM: "#7f8c8d", None: "#d5d8dc",
}
TYPE_SHAPES = {"person": "box", "card": "ellipse", "phone": "hexagon", "device": "hexagon", "report": "note",
               "cashpoint": "house"}

# Layout measures text with FONT (installed from Debian's fonts-noto-cjk); viewers fall back along the stack.
FONT = "Noto Sans CJK SC"
FONT_STACK = ("'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Source Han Sans SC', "
              "'WenQuanYi Micro Hei', SimHei, sans-serif")


def role_of(node: dict) -> str | None:
    """Return the role shown for a node, victims included."""
    return VICTIM if node.get("victim") else node.get("role")


def tier_of(node: dict) -> int | None:
    """Return the chart tier of a node, or None when its place follows its links (卡农, devices)."""
    return ROLE_TIER.get(role_of(node) or "")


def color_of(node: dict) -> str:
    """Return the fill colour of a node by role."""
    return ROLE_COLORS.get(role_of(node), ROLE_COLORS[None])


def type_name(type_: str) -> str:
    """Return the Chinese name of an entity type."""
    return TYPE_NAMES.get(type_, type_)


def legend_items() -> list[tuple[str, str, str]]:
    """Return (colour, Chinese name, English name) for the legend, in chart order."""
    names = {"金主": "controller", "骨干": "core member", "卡商": "card dealer", "卡农": "card seller",
             "一级卡": "1st-level card", "二级卡": "2nd-level card", "三级卡": "3rd-level card",
             "取现": "cash-out", VICTIM: "victim", None: "other"}
    return [(ROLE_COLORS[r], r or "其他", names[r]) for r in names]
