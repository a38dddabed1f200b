"""Row converters: one normalised row of a kind becomes entities and relationships in a Chunk.

A converter raises BadValue (the reject reason) when a row cannot be loaded: a key or required
value missing or malformed. An optional value that does not parse is dropped, the row kept.
"""
from __future__ import annotations

import hashlib

import xxhash

from . import normalize as nz
from .chunk import Chunk
from .mapping import Layout, kind_spec

__all__ = ["converter", "transfer_pair", "pair_key", "CASHPOINT_UNKNOWN"]

CASHPOINT_UNKNOWN = "未知网点"
_MISSING = {"card": "缺少卡号 missing card number", "account": "缺少卡号 missing card number",
            "time": "缺少交易时间 missing time", "amount": "缺少金额 missing amount",
            "phone": "缺少手机号 missing phone number", "device": "缺少设备号 missing device",
            "id": "缺少证件号码 missing ID number", "victim_id": "缺少证件号码 missing ID number",
            "holder_id": "缺少证件号码 missing ID number", "to_card": "缺少收款卡号 missing receiving card",
            "item_no": "缺少物品编号 missing item number", "category": "缺少类别 missing category"}


class _Cached:
    """A normaliser with a bounded memo: IDs, IPs and names repeat thousands of times in a file."""

    def __init__(self, fn, size: int = 20_000):
        self.fn, self.size, self.memo = fn, size, {}

    def __call__(self, v):
        """Return fn(v), remembering hashable results and errors alike."""
        try:
            r = self.memo[v]
        except KeyError:
            try:
                r = self.fn(v)
            except nz.BadValue as e:
                r = e
            except TypeError:
                return self.fn(v)
            if len(self.memo) >= self.size:
                self.memo.clear()
            self.memo[v] = r
        except TypeError:  # unhashable
            return self.fn(v)
        if isinstance(r, nz.BadValue):
            raise r
        return r


def _extractor(layout: Layout):
    """Return a function cells -> {field: normalised value}, rejecting rows that lack required fields."""
    spec = kind_spec(layout.kind)
    required = [alts for alts in spec["required"]]
    req_fields = {a for alts in required for a in alts}
    plan = []
    for f, g in layout.getters.items():
        norm = layout.normalizers[f]
        memo = None
        if norm in (nz.person_id, nz.ip, nz.mac, nz.phone, nz.direction, nz.cash_flag, nz.card, nz.account):
            norm = _Cached(norm)
            memo = norm.memo
        plain = g.index is not None and g.template is None and g.values is None and not g.prefix
        plan.append((f, g.index if plain else None, g, norm, f in req_fields, memo, norm is nz.text))
    extras = layout.extras
    label_amount = "转账金额" if layout.kind == "victims" else ""
    missing = {"card": "缺少交易卡号 missing card number"} if layout.kind == "transfers" else {}
    bad = nz.BadValue

    def extract(cells: list) -> dict:
        out = {}
        n = len(cells)
        for f, i, g, norm, req, memo, is_text in plan:
            if i is None:
                raw = g.get(cells)
            elif i < n:
                raw = cells[i]
            else:
                continue
            if raw is None:
                continue
            if raw.__class__ is str:
                if is_text:  # the common case: a string cell of a text field
                    raw = raw.strip()
                    if raw:
                        out[f] = raw
                    continue
                if memo is not None:
                    r = memo.get(raw)
                    if r is not None and r.__class__ is not bad:
                        out[f] = r
                        continue
                if not raw.strip():
                    continue
            elif raw == "":
                continue
            try:
                out[f] = norm(raw)
            except bad as e:
                if req:
                    if label_amount and f == "amount":
                        raise bad(str(e).replace("交易金额", label_amount)) from None
                    raise
        for alts in required:
            if not any(a in out for a in alts):
                raise bad(missing.get(alts[0]) or _MISSING.get(alts[0], f"缺少 {alts[0]} missing {alts[0]}"))
        if extras:
            ex = {h: nz.text(cells[i]) for h, i in extras if i < n and cells[i] not in (None, "")}
            if ex:
                out["_extra"] = ex
        return out

    return extract


def transfer_pair(a: str, b: str, amount: float, ts: int) -> str:
    """Return the hash of (from card, to card, amount in fen, ts): one transfer seen from both sides."""
    return pair_key(a, b, round(amount * 100), ts)


def pair_key(a: str, b: str, fen: int, ts: int) -> str:
    """Return the pair hash of an amount already in fen (the column path computes fen for a whole block): XXH64 of
    the text, which polars-hash computes for a whole column alike (~3x cheaper than a Python hash per row)."""
    return xxhash.xxh64_hexdigest(f"{a}>{b}>{fen}>{ts}".encode())


def _persons(layout: Layout):
    """Convert a persons row: Person, and the phone it gives (USES)."""
    ex = _extractor(layout)

    def conv(cells, src, ch: Chunk, mark):
        r = ex(cells)
        pid = r["id"]
        props = {k: r.get(k) for k in ("name", "gender", "address", "phone", "note")}
        props.update(r.get("_extra", {}))
        ch.node("Person", pid, src, set_=props)
        if r.get("phone"):
            ch.node("Phone", r["phone"], src)
            ch.use("load_uses_person_phone", pid, r["phone"], src, None, None, mark)
    return conv


def _cards(layout: Layout):
    """Convert a 开户信息 row: the card, its owner (OWNS) and reserved phone (RESERVED)."""
    ex = _extractor(layout)

    def conv(cells, src, ch: Chunk, mark):
        r = ex(cells)
        card = r["card"]
        opened = r.get("opened")
        props = {k: r.get(k) for k in ("bank", "owner_name", "owner_id", "branch", "status", "reserved_phone")}
        props["opened"] = opened[0] if opened else None
        props.update(r.get("_extra", {}))
        ch.node("BankCard", card, src, set_=props)
        if r.get("owner_id"):
            ch.node("Person", r["owner_id"], src, fill={"name": r.get("owner_name")})
            ch.rel("load_owns_card", r["owner_id"], card, src, {"since": props["opened"]})
        if r.get("reserved_phone"):
            ch.node("Phone", r["reserved_phone"], src)
            ch.rel("load_reserved", card, r["reserved_phone"], src)
    return conv


def _phones(layout: Layout):
    """Convert a SIM real-name row: the phone and its registered owner (OWNS)."""
    ex = _extractor(layout)

    def conv(cells, src, ch: Chunk, mark):
        r = ex(cells)
        ph = r["phone"]
        opened = r.get("opened")
        props = {k: r.get(k) for k in ("iccid", "imsi", "carrier", "owner_id")}
        props["opened"] = opened[0] if opened else None
        props.update(r.get("_extra", {}))
        ch.node("Phone", ph, src, set_=props)
        if r.get("owner_id"):
            ch.node("Person", r["owner_id"], src, fill={"name": r.get("owner_name")})
            ch.rel("load_owns_phone", r["owner_id"], ph, src, {"since": props["opened"]})
    return conv


def _devices(layout: Layout):
    """Convert a device row: the device and who used it (phone, card, person)."""
    ex = _extractor(layout)
    raw_key = layout.normalizers["device"] is nz.raw

    def conv(cells, src, ch: Chunk, mark):
        r = ex(cells)
        if raw_key:
            key, kind = r["device"], nz.device_kind(r.get("device_kind", "")) or r.get("device_kind") or None
        else:
            key, kind = nz.device(r["device"], r.get("device_kind", ""))
        first, last = r.get("first"), r.get("last")
        first = first[0] if first else None
        last = last[0] if last else first
        props = dict(r.get("_extra", {}))
        props["kind"] = kind
        ch.node("Device", key, src, set_=props)
        users = [("phone", "Phone", "load_uses_phone_device"), ("card", "BankCard", "load_uses_card_device"),
                 ("person_id", "Person", "load_uses_person_device")]
        for f, label, stmt in users:
            if r.get(f):
                ch.node(label, r[f], src)
                ch.use(stmt, r[f], key, src, first, last, mark)
    return conv


_ITEMS = {"银行卡": ("BankCard", "load_holds_card"), "卡": ("BankCard", "load_holds_card"),
          "手机卡": ("Phone", "load_holds_phone"), "SIM卡": ("Phone", "load_holds_phone"),
          "电话卡": ("Phone", "load_holds_phone"), "手机": ("Device", "load_holds_device"),
          "U盾": ("Device", "load_holds_device"), "UKEY": ("Device", "load_holds_device")}


def _seizures(layout: Layout):
    """Convert a seizure row: the holder HOLDS the card, SIM, phone (IMEI) or U盾."""
    ex = _extractor(layout)

    def conv(cells, src, ch: Chunk, mark):
        r = ex(cells)
        item = r.get("item", "银行卡")
        label, stmt = _ITEMS.get(item.upper() if item.isascii() else item, (None, None))
        if label is None:
            raise nz.BadValue(f"物品类型无法识别 unknown item type: {item[:10]}")
        if label == "BankCard":
            key = nz.card(r["item_no"])
            props = {}
        elif label == "Phone":
            key = nz.phone(r["item_no"])
            props = {}
        else:
            key, kind = nz.device(r["item_no"], "IMEI" if item == "手机" else "UKEY")
            props = {"kind": kind}
        t = r.get("time")
        ch.node("Person", r["holder_id"], src, fill={"name": r.get("holder_name")})
        ch.node(label, key, src, set_=props)
        ch.rel(stmt, r["holder_id"], key, src, {"time": t[0] if t else None, "place": r.get("place"), "item": item})
    return conv


def _victims(layout: Layout):
    """Convert a victim's report: Person FILED Report, PAID_FROM and PAID_TO the cards."""
    ex = _extractor(layout)

    def conv(cells, src, ch: Chunk, mark):
        r = ex(cells)
        tm, ts = r["time"]
        key = hashlib.blake2b(f"{r['victim_id']}|{r.get('from_card', '')}|{r['to_card']}|{round(r['amount'] * 100)}|{ts}"
                              .encode(), digest_size=8).hexdigest()
        rep = r.get("reported")
        props = {"victim_id": r["victim_id"], "victim_name": r.get("victim_name"), "from_card": r.get("from_card"),
                 "to_card": r["to_card"], "amount": r["amount"], "ts": ts, "time": tm,
                 "reported": rep[0] if rep else None, **r.get("_extra", {})}
        ch.node("Person", r["victim_id"], src, fill={"name": r.get("victim_name")})
        ch.node("Report", key, src, set_=props)
        ch.rel("load_filed", r["victim_id"], key, src)
        ch.node("BankCard", r["to_card"], src)
        ch.rel("load_paid_to", key, r["to_card"], src)
        if r.get("from_card"):
            ch.node("BankCard", r["from_card"], src)
            ch.rel("load_paid_from", key, r["from_card"], src)
    return conv


def _watchlist(layout: Layout):
    """Convert a watch-list row: Person LISTED in the case, with category and source."""
    ex = _extractor(layout)

    def conv(cells, src, ch: Chunk, mark):
        r = ex(cells)
        ch.node("Person", r["id"], src, fill={"name": r.get("name")})
        ch.rel("load_listed", r["id"], "", src, {"category": r.get("category"), "source": r.get("source"),
                                                 **r.get("_extra", {})})
    return conv


def converter(layout: Layout):
    """Return the row converter of a layout's kind."""
    if layout.kind == "transfers":
        from .transfers import transfer_converter

        return transfer_converter(layout, _extractor(layout))
    return {"persons": _persons, "cards": _cards, "phones": _phones, "devices": _devices,
            "seizures": _seizures, "victims": _victims, "watchlist": _watchlist}[layout.kind](layout)
