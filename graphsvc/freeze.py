"""Freeze list (止付清单): the accounts downstream of victim reports, ranked by attributable amount and recency."""
from __future__ import annotations

import csv
from pathlib import Path

from .errors import BadInput, NotFound
from .store import Store
from .trace import report_rows, trace

__all__ = ["freeze_list", "write_freeze", "FREEZE_COLUMNS"]

FREEZE_COLUMNS = [("card", "卡号 card"), ("bank", "开户行 bank"), ("owner_name", "户名 owner"),
                  ("owner_id", "证件号 owner ID"), ("amount", "可追溯金额 attributable amount"),
                  ("last_time", "最近入账 last inflow"), ("layer", "层级 layer"), ("reports", "报案 reports"),
                  ("victims", "受害人 victims")]


def freeze_list(store: Store, case: str, reports=None, hops: int = 4, max_delay_minutes: int = 1440) -> dict:
    """Trace every report downstream and list each reached card once, amounts summed over reports."""
    reps = report_rows(store, case, reports)
    if reports and not reps:
        raise NotFound(f"no such report in case {case}", "list the case's reports (pochuan search) first")
    victims_cards = {r["from_card"] for r in reps if r.get("from_card")}
    rows: dict[str, dict] = {}
    for rep in reps:
        if not rep.get("to_card"):
            continue
        g = trace(store, case, report=rep["key"], hops=hops, max_delay_minutes=max_delay_minutes)
        last_in = {}
        for e in g["edges"]:
            if e["type"] in ("TRANSFER", "PAID_TO"):
                last_in[e["to"]] = max(last_in.get(e["to"]) or "", e["last"] or "")
        for n in g["nodes"]:
            if n["type"] != "card" or n["key"] in victims_cards or not n["amount"]:
                continue
            r = rows.setdefault(n["key"], {"card": n["key"], "bank": n["props"].get("bank"),
                                           "owner_name": n["props"].get("owner_name"),
                                           "owner_id": n["props"].get("owner_id"), "amount": 0.0, "last_time": "",
                                           "layer": n["layer"], "reports": [], "victims": []})
            r["amount"] = round(r["amount"] + n["amount"], 2)
            r["last_time"] = max(r["last_time"], last_in.get(n["id"]) or "")
            r["layer"] = min(r["layer"], n["layer"])
            r["reports"].append(rep["key"])
            if rep.get("victim_name") and rep["victim_name"] not in r["victims"]:
                r["victims"].append(rep["victim_name"])
    out = sorted(rows.values(), key=lambda r: (r["last_time"] or ""), reverse=True)
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
