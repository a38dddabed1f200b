"""Freeze list (止付清单): the accounts downstream of victim reports, ranked by attributable amount and recency."""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from .errors import BadInput, NotFound
from .search import get_nodes
from .shapes import node_id
from .store import Store
from .trace import _fetch, fifo_attribution, report_rows

__all__ = ["freeze_list", "write_freeze", "FREEZE_COLUMNS"]

FREEZE_COLUMNS = [("card", "卡号 card"), ("bank", "开户行 bank"), ("owner_name", "户名 owner"),
                  ("owner_id", "证件号 owner ID"), ("amount", "可追溯金额 attributable amount"),
                  ("last_time", "最近入账 last inflow"), ("layer", "层级 layer"), ("reports", "报案 reports"),
                  ("victims", "受害人 victims")]


def freeze_list(store: Store, case: str, reports=None, hops: int = 4, max_delay_minutes: int = 1440) -> dict:
    """Trace every report downstream and list each reached card once, amounts summed over reports.

    Reports paid to the same card share one fetch (window from the first report to the last plus the
    delay); each report's money is then attributed on its own from its own time (FIFO-capped).
    """
    reps = report_rows(store, case, reports)
    if reports and not reps:
        raise NotFound(f"no such report in case {case}", "list the case's reports (pochuan search) first")
    victims_cards = {r["from_card"] for r in reps if r.get("from_card")}
    delay = max(0, int(max_delay_minutes)) * 60
    groups = defaultdict(list)
    for r in reps:
        if r.get("to_card") and r.get("ts") is not None:
            groups[r["to_card"]].append(r)
    acc: dict[str, dict] = {}
    for card, group in groups.items():
        ts = [int(r["ts"]) for r in group]
        transfers, layer, _hubs, _cut = _fetch(store, case, card, min(ts), max(ts) + delay, True, hops, delay, 0, 2000)
        last_in = {}
        for t in transfers:
            last_in[t["dst"]] = max(last_in.get(t["dst"]) or "", t["time"] or "")
        for rep in group:
            reached, _ = fifo_attribution(transfers, card, float(rep.get("amount") or 0), True, int(rep["ts"]))
            reached[card] = float(rep.get("amount") or 0)
            last_in[card] = max(last_in.get(card) or "", rep.get("time") or "")
            for k, amount in reached.items():
                if k in victims_cards or amount <= 0 or k not in layer:
                    continue
                r = acc.setdefault(k, {"card": k, "amount": 0.0, "last_time": "", "layer": layer[k] + 1,
                                       "reports": [], "victims": []})
                r["amount"] = round(r["amount"] + amount, 2)
                r["last_time"] = max(r["last_time"], last_in.get(k) or "")
                r["layer"] = min(r["layer"], layer[k] + 1)
                r["reports"].append(rep["key"])
                if rep.get("victim_name") and rep["victim_name"] not in r["victims"]:
                    r["victims"].append(rep["victim_name"])
    info = get_nodes(store, [node_id("card", k) for k in acc])
    for k, r in acc.items():
        p = (info.get(node_id("card", k)) or {}).get("props") or {}
        r.update(bank=p.get("bank"), owner_name=p.get("owner_name"), owner_id=p.get("owner_id"))
    out = sorted(acc.values(), key=lambda r: (r["last_time"] or ""), reverse=True)
    out.sort(key=lambda r: r["amount"], reverse=True)
    return {"case": case, "rows": out, "reports": len(reps), "columns": [c for c, _ in FREEZE_COLUMNS]}


def _cells(row: dict) -> list:
    """Return a row's cells in column order, lists joined."""
    return ["、".join(map(str, row.get(c) or [])) if isinstance(row.get(c), list) else row.get(c)
            for c, _ in FREEZE_COLUMNS]


def write_freeze(data: dict, path) -> Path:
    """Write a freeze list as CSV (UTF-8 with BOM, opens in Excel) or XLSX, chosen by the file suffix."""
    path = Path(path)
    head = [h for _, h in FREEZE_COLUMNS]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(head)
            w.writerows(_cells(r) for r in data["rows"])
    elif path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "止付清单"
        ws.append(head)
        for r in data["rows"]:
            ws.append(_cells(r))
        wb.save(path)
    else:
        raise BadInput(f"cannot write {path.name}", "name the file .csv or .xlsx", "path")
    return path
