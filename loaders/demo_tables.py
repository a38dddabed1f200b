"""The demo case's other files: persons, account openings, SIM records, devices, seizures, reports, watch list.

Each writer takes the World and the output folder and returns truth.json file entries; header aliases,
formats and encodings differ between files as they do between the offices that send them.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import demo_ids as ids
from .demo_sinks import Sink
from .demo_world import World

__all__ = ["write_tables"]


def _t(ts: int, style: str):
    """Format a time: dash, slash, compact, or a datetime for Excel cells."""
    d = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=ts)
    if style == "excel":
        return d
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day} {d.hour}:{d.minute:02d}:{d.second:02d}"
    if style == "compact":
        return d.strftime("%Y%m%d%H%M%S")
    return d.strftime("%Y-%m-%d %H:%M:%S")


def _shown_id(p, k: int) -> str:
    """Return the ID as an office writes it: some older people keep their 15-digit number."""
    if p.old and k % 7 == 0:
        return ids.id15(p.pid)
    return p.pid.lower() if k % 5 == 0 else p.pid


def write_tables(w: World, root: Path) -> list:
    """Write every non-transfer file; return their truth entries."""
    return (_persons(w, root) + _cards(w, root) + [_phones(w, root), _devices(w, root), _seizures(w, root),
                                                    _victims(w, root), _watchlist(w, root)])


def _persons(w: World, root: Path) -> list:
    """人员: the case's suspects and victims in an .xlsx, everyone else in a GB18030 register extract."""
    rng = w.rng
    involved = sorted({i for g in w.gang_people for i in g} | set(w.victims_all))
    inv = set(involved)
    others = [i for i in range(len(w.persons)) if i not in inv]
    rng.shuffle(involved)
    rng.shuffle(others)
    a = Sink(root, "涉案人员.xlsx", "persons", ["姓名", "证件号码", "手机号", "性别", "户籍地址", "备注"])
    b = Sink(root, "人员信息.csv", "persons", ["姓名", "身份证号", "手机号", "性别", "户籍地址", "备注"], "gb18030")
    for sink, people, bad_at in ((a, involved, {5}), (b, others, {10, 400})):
        for k, i in enumerate(people):
            p = w.persons[i]
            note = "曾用名：𠮷" + p.name[-1] if sink is b and k % 997 == 5 else p.note
            sink.row([p.name, _shown_id(p, k), ids.messy_phone(p.phone, k), "男" if p.male else "女", p.addr, note])
            if k in bad_at:
                fake = ids.bad_check(ids.make_id(rng, set(), 1970, 2000))
                sink.bad_row([ids.make_name(rng, True), fake, "", "男", "", ""], "身份证校验位错误 bad ID check digit")
    return [a.close(), b.close()]


_CARD_FILES = [("开户信息_工商银行_建设银行_招商银行.csv", (0, 1, 4), "utf-8-sig", "卡号", "dash"),
               ("开户信息_农业银行_中国银行_邮储银行.tsv", (2, 3, 6), "gbk", "账号", "slash"),
               ("开户信息_交通银行_平安银行.xlsx", (5, 7), None, "卡号", "excel")]


def _cards(w: World, root: Path) -> list:
    """开户信息: the replying banks' account-opening records, grouped in three files."""
    rng = w.rng
    order = list(range(len(w.card_no)))
    rng.shuffle(order)
    out = []
    for name, banks, enc, key, style in _CARD_FILES:
        s = Sink(root, name, "cards", [key, "开户行", "开户人姓名", "开户人证件号码", "开户时间", "开户网点", "预留手机号",
                                      "账户状态"], enc)
        bad_at = {7, 300}
        n = 0
        for c in order:
            b = w.card_bank[c]
            if b not in banks or w.card_owner[c] < 0:
                continue
            p = w.persons[w.card_owner[c]]
            bank = ids.BANKS[b][0]
            branch = bank + ids.ADDRESS_OF.get(p.pid[:6], "某市") + "支行"
            s.row([ids.messy_card(w.card_no[c], n // 37) if n % 37 == 0 else w.card_no[c], bank, p.name,
                   _shown_id(p, n), _t(w.card_opened[c], style), branch, ids.messy_phone(w.card_phone[c], n) if
                   w.card_phone[c] else "", w.card_status[c]])
            n += 1
            if n in bad_at:
                s.bad_row(["", bank, p.name, p.pid, _t(w.card_opened[c], style), branch, "", "正常"],
                          "缺少卡号 missing card number")
        out.append(s.close())
    return out


def _phones(w: World, root: Path) -> dict:
    """手机卡: real-name SIM records of everyone's phones."""
    rng = w.rng
    s = Sink(root, "手机卡实名信息.csv", "phones", ["手机号", "ICCID", "IMSI", "实名人证件号码", "运营商", "开卡时间"])
    for k, (phone, owner, opened) in enumerate(w.phones):
        carrier = ids.carrier_of(phone)
        iccid = "8986" + {"中国移动": "00", "中国联通": "01", "中国电信": "03"}[carrier] + f"{rng.randrange(10**14):014d}"
        imsi = "460" + {"中国移动": "00", "中国联通": "01", "中国电信": "11"}[carrier] + f"{rng.randrange(10**10):010d}"
        s.row([ids.messy_phone(phone, k), iccid, imsi, w.persons[owner].pid, carrier, _t(opened, "dash")])
        if k in (3, 500):
            s.bad_row([phone[:9], iccid, imsi, w.persons[owner].pid, carrier, _t(opened, "dash")],
                      "手机号位数不对 bad phone number")
    return s.close()


def _devices(w: World, root: Path) -> dict:
    """设备记录: gang devices, public Wi-Fi users, family homes and some people's handsets."""
    rng = w.rng
    rows = list(w.dev_rows)
    for u in w.hub_users[:150]:
        rows.append((w.net[w.hub_net[u]][0], "IP", "card", w.card_no[w.personal[u]], 1675209600, 1701360000))
    for fam in w.families[: len(w.families) // 2]:
        for m in fam:
            ip, mac = w.net[w.home[m]]
            rows.append((ip, "IP", "card", w.card_no[w.personal[m]], 1672560000, 1703980000))
            rows.append((mac, "MAC", "phone", w.persons[m].phone, 1672560000, 1703980000))
    for i in range(0, w.p["persons"], 5):
        rows.append((ids.make_imei(rng, w.used_dev), "IMEI", "phone", w.phones[i][0], 1672560000, 1703980000))
    s = Sink(root, "设备记录.tsv", "devices", ["设备号", "设备类型", "关联手机号", "关联卡号", "证件号码", "首次使用时间",
                                            "最后使用时间"], "utf-8-sig")
    for k, (key, kind, rel, val, first, last) in enumerate(rows):
        shown = ids.messy_mac(key, k) if kind == "MAC" else ids.messy_ip(key, k) if kind == "IP" else key
        s.row([shown, kind, ids.messy_phone(val, k) if rel == "phone" else "", val if rel == "card" else "",
               val if rel == "person" else "", _t(first, "dash"), _t(last, "slash")])
        if k in (11, 700):
            s.bad_row(["", kind, "", val if rel == "card" else "", "", _t(first, "dash"), ""], "缺少设备号 missing device")
    return s.close()


def _seizures(w: World, root: Path) -> dict:
    """扣押清单: what was seized from whom at the arrests."""
    s = Sink(root, "扣押清单.xlsx", "seizures", ["持有人证件号码", "持有人姓名", "物品类型", "物品编号", "扣押时间", "扣押地点"])
    for k, (holder, item, key, ts, place) in enumerate(w.seizures):
        p = w.persons[holder]
        shown = ids.messy_card(key, k) if item == "银行卡" else ids.messy_phone(key, k) if item == "手机卡" else key
        s.row([p.pid, p.name, item, shown, _t(ts, "excel"), place])
        if k == 4:
            s.bad_row([ids.bad_check(p.pid), p.name, item, shown, _t(ts, "excel"), place],
                      "身份证校验位错误 bad ID check digit")
    return s.close()


def _victims(w: World, root: Path) -> dict:
    """报案信息: one row per payment a victim reported."""
    s = Sink(root, "报案信息.csv", "victims", ["受害人姓名", "受害人证件号码", "转出卡号", "收款卡号", "转账金额", "转账时间",
                                           "报案时间"], "gbk")
    for k, (v, src, dst, fen, ts, rep) in enumerate(w.reports):
        p = w.persons[v]
        amount = f"{fen / 100:.2f}" if k % 2 else f"{fen // 100}元"
        s.row([p.name, p.pid, w.card_no[src], ids.messy_card(w.card_no[dst], k), amount, _t(ts, "slash"),
               _t(rep, "dash")])
        if k == 6:
            s.bad_row([p.name, p.pid, w.card_no[src], w.card_no[dst], "若干", _t(ts, "slash"), _t(rep, "dash")],
                      "转账金额不是数字 non-numeric amount")
        if k == 9:
            s.bad_row([p.name, ids.bad_check(p.pid), w.card_no[src], w.card_no[dst], amount, _t(ts, "slash"),
                       _t(rep, "dash")], "身份证校验位错误 bad ID check digit")
    return s.close()


def _watchlist(w: World, root: Path) -> dict:
    """重点人员: the watch list of 涉两卡 persons sent by the anti-fraud centre."""
    s = Sink(root, "重点人员.csv", "watchlist", ["证件号码", "姓名", "类别", "来源"], "utf-8-sig")
    for k, (i, cat, src) in enumerate(w.watch):
        p = w.persons[i]
        s.row([p.pid, p.name, cat, src])
        if k == 2:
            s.bad_row([ids.bad_check(p.pid), p.name, cat, src], "身份证校验位错误 bad ID check digit")
    return s.close()


