"""Bank replies (交易明细) of the demo case: one file per bank, each with its own layout and habits.

Every bank writes the side of a transfer its card is on (出 for the payer's bank, 进 for the payee's),
with the same 交易流水号 on both; banks differ in direction encoding, time and amount format, header
aliases, file format and encoding. One pass over the time-sorted transfers feeds all files.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import demo_ids as ids
from .demo_sinks import Sink
from .demo_world import (REPLYING, T0, K_ATM, K_COUNTER, K_DEPOSIT, K_FAMILY, K_GANG, K_INCOME, K_SALARY,
                         K_SETTLE, K_SHOP, K_VICTIM, World)

__all__ = ["LAYOUTS", "write_transfers"]

# bank index -> file layout: format, encoding, direction style, time style, amount style, header aliases.
#   direction: jc 收付标志 进/出; jd 借贷标志 借/贷 (借 = 出); dc 借贷标志 D/C (D = 出); two 支出/存入; sign (− = 出)
LAYOUTS = [
    dict(ext="csv", enc="utf-8-sig", dir="jc", time="dash", amount="plain", name="交易户名", id="交易证件号码"),
    dict(ext="csv", enc="gbk", dir="jd", time="slash", amount="yuan", name="账户开户名称", id="开户人证件号码"),
    dict(ext="tsv", enc="gb18030", dir="dc", time="compact", amount="yen", name="交易户名", id="交易证件号码"),
    dict(ext="csv", enc="utf-8", dir="two", time="dash", amount="comma", name="账户开户名称", id="开户人证件号码"),
    dict(ext="csv", enc="gbk", dir="sign", time="compact", amount="plain", name="交易户名", id="交易证件号码"),
    dict(ext="xlsx", enc=None, dir="jc", time="excel", amount="num", name="账户开户名称", id="开户人证件号码"),
    dict(ext="csv", enc="utf-8", dir="jc", time="slash", amount="yen", name="交易户名", id="交易证件号码",
         shop=True, truncated=True),
    dict(ext="tsv", enc="gbk", dir="jd", time="dash", amount="comma", name="账户开户名称", id="开户人证件号码"),
]
_DIRS = {"jc": ("收付标志", "出", "进"), "jd": ("借贷标志", "借", "贷"), "dc": ("借贷标志", "D", "C")}
_TAIL = ["交易对手账卡号", "对手户名", "对手身份证号", "对手开户银行", "交易流水号", "摘要说明", "交易网点名称", "交易渠道",
         "IP地址", "MAC地址", "现金标志"]
# kind -> (摘要说明, 交易渠道, 现金标志)
_KIND = {K_SHOP: ("消费", "快捷支付", "转账"), K_SALARY: ("代发工资", "批量代发", "转账"),
         K_FAMILY: ("转账", "手机银行", "转账"), K_GANG: ("转账", "手机银行", "转账"),
         K_ATM: ("ATM取款", "ATM", "现金"), K_SETTLE: ("商户结算", "批量代付", "转账"),
         K_VICTIM: ("转账", "手机银行", "转账"), K_DEPOSIT: ("现金存入", "柜面", "现金"),
         K_COUNTER: ("柜面取现", "柜面", "现金"), K_INCOME: ("货款", "网上银行", "转账")}
_CASH = (K_ATM, K_DEPOSIT, K_COUNTER)


def _header(lay: dict) -> list:
    """Return the header row of a bank's layout."""
    head = ["交易卡号", "交易账号", lay["name"], lay["id"], "交易时间"]
    head += ["支出", "存入"] if lay["dir"] == "two" else ["交易金额"]
    head += ["交易余额"]
    if lay["dir"] in _DIRS:
        head.append(_DIRS[lay["dir"]][0])
    return head + _TAIL + (["商户名称"] if lay.get("shop") else [])


class _Days:
    """Date parts of a day, cached: 2023-01-02, 2023/1/2, 20230102."""

    def __init__(self):
        self.cache = {}

    def get(self, ts: int):
        """Return (dash, slash, compact, date) of the day of ts."""
        d = (ts - T0) // 86400
        got = self.cache.get(d)
        if got is None:
            day = dt.date(2023, 1, 1) + dt.timedelta(days=d)
            got = (day.isoformat(), f"{day.year}/{day.month}/{day.day}", day.strftime("%Y%m%d"), day)
            self.cache[d] = got
        return got


class _Bank:
    """The writer of one bank's reply: turns a side of a transfer into a row of its layout."""

    def __init__(self, w: World, root: Path, bank: int, days: _Days):
        self.w, self.bank, self.days = w, bank, days
        self.lay = lay = LAYOUTS[bank]
        name = f"交易明细_{ids.BANKS[bank][0]}.{lay['ext']}"
        self.sink = Sink(root, name, "transfers", _header(lay), lay["enc"])
        self.dir = lay["dir"]
        self.flags = _DIRS.get(self.dir)
        self.fmt_time = getattr(self, "_t_" + lay["time"])
        self.fmt_amount = getattr(self, "_a_" + lay["amount"])
        self.bad_at = sorted(w.rng.sample(range(3, 300), 3))
        self.old15 = bank in (1, 4)
        self.last = None
        self.me, self.cp = {}, {}             # card -> its cells, computed once per card
        self.shop = bool(lay.get("shop"))

    def _t_dash(self, ts):
        d, s = self.days.get(ts)[0], ts % 86400
        return f"{d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    def _t_slash(self, ts):
        d, s = self.days.get(ts)[1], ts % 86400
        return f"{d} {s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"

    def _t_compact(self, ts):
        d, s = self.days.get(ts)[2], ts % 86400
        return f"{d}{s // 3600:02d}{s // 60 % 60:02d}{s % 60:02d}"

    def _t_excel(self, ts):
        return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=ts)

    @staticmethod
    def _a_plain(fen):
        return f"{fen // 100}.{fen % 100:02d}"

    @staticmethod
    def _a_yuan(fen):
        s = f"{fen // 100}.{fen % 100:02d}".rstrip("0").rstrip(".")
        return s + "元"

    @staticmethod
    def _a_yen(fen):
        return f"¥{fen // 100:,}.{fen % 100:02d}"

    @staticmethod
    def _a_comma(fen):
        return f"{fen // 100:,}.{fen % 100:02d}"

    @staticmethod
    def _a_num(fen):
        return fen / 100

    def _pid(self, person: int) -> str:
        """Return the ID written for a person: some older people still appear with 15 digits here."""
        p = self.w.persons[person]
        if self.old15 and p.old and int(p.pid[14:17]) % 5 == 0:
            return ids.id15(p.pid)
        return p.pid

    def _me(self, card: int) -> tuple:
        """Return the cells of the bank's own card: number, account, name, owner ID."""
        w = self.w
        no, owner = w.card_no[card], w.card_owner[card]
        got = (no, no if self.bank < 5 else "", w.card_name[card], self._pid(owner) if owner >= 0 else "")
        self.me[card] = got
        return got

    def _cp(self, card: int) -> tuple:
        """Return the cells of a counterparty card: number, name, owner ID, bank."""
        w = self.w
        owner = w.card_owner[card]
        got = (w.card_no[card], w.card_name[card], self._pid(owner) if owner >= 0 else "",
               ids.BANKS[w.card_bank[card]][0])
        self.cp[card] = got
        return got

    def side(self, i, ts, me, cp, fen, kind, net, out, bal, serial):
        """Write the row of transfer i as seen from card `me` (out: it paid)."""
        w = self.w
        no, acct, name, pid = self.me.get(me) or self._me(me)
        summary, channel, cash = _KIND[kind]
        if kind == K_SHOP and cp >= 0 and cp in w.shop_name:
            channel = "扫码支付" if net else "POS"
        if kind in _CASH:
            cp_no = cp_name = cp_id = cp_bank = ""
            branch = w.cashpoints[net]
            ip = mac = ""
        else:
            cp_no, cp_name, cp_id, cp_bank = self.cp.get(cp) or self._cp(cp)
            if i % 41 == 0:
                cp_no = ids.messy_card(cp_no, i // 41)
            if not i % 3:
                cp_id = ""
            branch = "" if channel != "柜面" else f"{ids.BANKS[self.bank][0]}营业部"
            ip, mac = w.net[net] if out else ("", "")
            if ip:
                ip, mac = ids.messy_ip(ip, i), ids.messy_mac(mac, i)
        t = self.fmt_time(ts)
        amt = self.fmt_amount(fen)
        row = [no if i % 53 else ids.messy_card(no, i // 53), acct, name, pid, t]
        d = self.dir
        if d == "two":
            row += [amt, ""] if out else ["", amt]
        elif d == "sign":
            row.append(("-" + amt) if out else amt)
        else:
            row.append(amt)
        row.append(self.fmt_amount(max(bal, 0)))
        if self.flags:
            row.append(self.flags[1] if out else self.flags[2])
        row += [cp_no, cp_name, cp_id, cp_bank, serial, summary, branch, channel, ip, mac, cash]
        if self.shop:
            row.append(w.shop_name.get(cp if out else me, "") if kind == K_SHOP and cp >= 0 else "")
        self.sink.row(row)
        if self.bad_at and self.sink.rows >= self.bad_at[0]:
            self.bad_at.pop(0)
            self._plant_bad(row, len(self.bad_at))
        self.last = row

    def _plant_bad(self, row, k):
        """Write a broken copy of a row: unparsable time, non-numeric amount, or no card number."""
        bad = list(row)
        if k == 2:
            bad[4] = "2023-02-30 25:61:00" if self.lay["time"] != "excel" else "2023年13月45日"
            self.sink.bad_row(bad, "交易时间无法解析 unparsable time")
        elif k == 1:
            bad[5 if row[5] != "" else 6] = "壹仟贰佰元"
            self.sink.bad_row(bad, "交易金额不是数字 non-numeric amount")
        else:
            bad[0] = bad[1] = ""
            self.sink.bad_row(bad, "缺少交易卡号 missing card number")

    def close(self) -> dict:
        """Finish the file (one bank ends with a truncated line) and return its truth entry."""
        while self.bad_at and self.last:       # a short reply still gets its three bad rows
            self.bad_at.pop(0)
            self._plant_bad(self.last, len(self.bad_at))
        if self.lay.get("truncated") and self.lay["ext"] != "xlsx":
            w = self.w
            c = next(k for k in range(len(w.card_no)) if w.card_bank[k] == self.bank)
            self.sink.truncated_row([w.card_no[c], w.card_no[c], w.card_name[c]], "文件截断 truncated file")
        entry = self.sink.close()
        entry["bank"] = ids.BANKS[self.bank][0]
        entry["direction"] = self.dir
        return entry


def write_transfers(w: World, root: Path) -> tuple[list, dict]:
    """Write every bank's reply from the time-sorted transfers; return truth entries and counts."""
    days = _Days()
    banks = [_Bank(w, root, b, days) for b in range(REPLYING)]
    card_bank = w.card_bank
    bal = list(w.card_bal)
    counts = {"transfers": 0, "cash": 0, "rows": 0, "both_sides": 0}
    for i, (ts, src, dst, fen, kind, net, sides) in enumerate(w.tx):
        serial = f"{days.get(ts)[2]}{i + 1:010d}"
        out_ok = src >= 0 and card_bank[src] < REPLYING
        in_ok = dst >= 0 and card_bank[dst] < REPLYING
        want_out, want_in = out_ok and sides & 1, in_ok and sides & 2
        if not (want_out or want_in):          # the side asked for has no reply: the other bank shows it
            want_out, want_in = out_ok, in_ok
        if src >= 0:
            bal[src] -= fen
        if dst >= 0:
            bal[dst] += fen
        if want_out:
            banks[card_bank[src]].side(i, ts, src, dst, fen, kind, net, True, bal[src], serial)
        if want_in:
            banks[card_bank[dst]].side(i, ts, dst, src, fen, kind, net, False, bal[dst], serial)
        counts["rows"] += bool(want_out) + bool(want_in)
        if src >= 0 and dst >= 0:
            counts["transfers"] += 1
            counts["both_sides"] += bool(want_out and want_in)
        else:
            counts["cash"] += 1
    return [b.close() for b in banks], counts
