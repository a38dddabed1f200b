"""The 交易明细 converter: one side of a transfer becomes a TRANSFER (or a CASH event) and its cards.

Direction comes from 收付标志/借贷标志 (进/出, 借/贷, D/C, 1/2), two columns 支出/存入, or the
sign of 交易金额. A row marked 现金, or with no counterparty card, is a cash event at the branch
or ATM (CashPoint). IP and MAC go to the paying card: (BankCard)-[:USES]->(Device).
"""
from __future__ import annotations

import hashlib

from . import normalize as nz
from .chunk import SRC_KEEP, Chunk
from .convert import CASHPOINT_UNKNOWN, transfer_pair
from .mapping import Layout

__all__ = ["transfer_converter", "add_transfer", "add_cash"]

# Packed record fields, in the order of cypher/load_transfer_create.cypher.
A, B, KEY, PAIR, TS, TIME, AMOUNT, SERIAL, SUMMARY, CHANNEL, BRANCH, IP, MAC, SIDES, SRC, BALANCE, EXTRA = range(17)


def add_transfer(ch: Chunk, rec: list) -> None:
    """Add a transfer record to a chunk, merging it with a row already there for the same transfer."""
    idx = ch.__dict__.setdefault("_tx_index", {})
    for other in idx.get(rec[PAIR], ()):
        if other[KEY] == rec[KEY] or rec[SIDES][0] not in other[SIDES]:
            if rec[SIDES][0] not in other[SIDES]:
                other[SIDES].append(rec[SIDES][0])
            if len(other[SRC]) < SRC_KEEP:
                other[SRC].append(rec[SRC][0])
            for f in (SERIAL, IP, MAC, SUMMARY, CHANNEL, BRANCH):
                other[f] = other[f] or rec[f]
            return
    idx.setdefault(rec[PAIR], []).append(rec)
    ch.transfers.append(rec)


def add_cash(ch: Chunk, r: dict, card: str, side: str, amt: float, ts: int, tm: str, serial: str, src: str) -> None:
    """Add a cash event (取现/存现 at a branch or ATM) to a chunk, merged with the same event already there."""
    point = " ".join((r.get("branch") or "").split()) or CASHPOINT_UNKNOWN
    key = serial or hashlib.blake2b(f"{card}|{point}|{round(amt * 100)}|{ts}|{side}".encode(),
                                    digest_size=8).hexdigest()
    ch.node("CashPoint", point, src, set_={"name": point})
    cash = ch.__dict__.setdefault("_cash_index", {})
    if key in cash:
        if len(cash[key]["src"]) < SRC_KEEP:
            cash[key]["src"].append(src)
        return
    rec = {"card": card, "point": point, "key": key, "ts": ts, "time": tm, "amount": amt, "direction": side,
           "serial": serial or None, "channel": r.get("channel"), "summary": r.get("summary"), "src": [src]}
    cash[key] = rec
    ch.cash.append(rec)


def transfer_converter(layout: Layout, extract):
    """Return the converter of transfer rows for this layout."""
    has_dir = layout.has("direction")
    has_two = layout.has("out_amount", "in_amount")

    def conv(cells, src, ch: Chunk, mark):
        r = extract(cells)
        card = r.get("card") or r.get("account")
        tm, ts = r["time"]
        if has_dir:
            side = r.get("direction")
            if side is None:
                raise nz.BadValue("收付标志无法识别 unknown direction")
            amt = r.get("amount")
            if amt is None:
                amt = r.get("out_amount") or r.get("in_amount")
                if amt is None:
                    raise nz.BadValue("缺少金额 missing amount")
        elif has_two and (r.get("out_amount") or r.get("in_amount")):
            if r.get("out_amount"):
                side, amt = "out", r["out_amount"]
            else:
                side, amt = "in", r["in_amount"]
        elif "amount" in r:
            amt = r["amount"]
            side = "out" if amt < 0 else "in"
        else:
            raise nz.BadValue("缺少金额 missing amount")
        amt = round(abs(amt), 2)
        cp = r.get("counter_card")
        serial = r.get("serial", "")
        name, pid = r.get("name"), r.get("id")
        seen = ch.seen
        sig = (card, name, pid)
        if sig not in seen:  # a bank reply repeats its card on every row: its entities once per chunk
            seen.add(sig)
            ch.node("BankCard", card, src, fill={"owner_name": name, "owner_id": pid})
            if pid:
                ch.node("Person", pid, src, fill={"name": name})
                ch.rel("load_owns_card", pid, card, src)
        ex = r.get("_extra")
        extra = ";".join(f"{k}={v}" for k, v in ex.items()).replace(",", "，") if ex else ""
        if r.get("cash") or not cp:
            add_cash(ch, r, card, side, amt, ts, tm, serial, src)
            return
        cp_name, cp_id, cp_bank = r.get("counter_name"), r.get("counter_id"), r.get("counter_bank")
        sig = (cp, cp_name, cp_id, cp_bank)
        if sig not in seen:
            seen.add(sig)
            ch.node("BankCard", cp, src, fill={"owner_name": cp_name, "owner_id": cp_id, "bank": cp_bank})
            if cp_id:
                ch.node("Person", cp_id, src, fill={"name": cp_name})
                ch.rel("load_owns_card", cp_id, cp, src)
        a, b = (card, cp) if side == "out" else (cp, card)
        pair = transfer_pair(a, b, amt, ts)
        ip, mac = r.get("ip", ""), r.get("mac", "")
        for dev, kind in ((ip, "IP"), (mac, "MAC")):
            if dev:
                if dev not in seen:
                    seen.add(dev)
                    ch.node("Device", dev, src, fill={"kind": kind})
                ch.use("load_uses_card_device", a, dev, src, tm, tm, mark)
        bal = r.get("balance")
        add_transfer(ch, [a, b, serial or pair, pair, ts, tm, amt, serial, r.get("summary", ""), r.get("channel", ""),
                          r.get("branch", ""), ip, mac, [side], [src], bal, extra])
    return conv
