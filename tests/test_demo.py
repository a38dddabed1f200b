"""The demo case generator: byte-stable per seed, every kind in its layouts and encodings, truth that holds.

The checks read the files back with a small independent reader (not the loaders), so a generator bug
and a loader bug cannot hide each other.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from loaders.demo import SIZES, generate

ROLES = {"金主", "骨干", "卡商", "卡农", "一级卡", "二级卡", "三级卡", "取现", None}
KINDS = {"persons", "cards", "phones", "devices", "transfers", "seizures", "victims", "watchlist"}
# kind -> required columns, each a set of accepted header aliases (issue 3, item 2)
REQUIRED = {
    "persons": [{"姓名"}, {"身份证号", "证件号码"}],
    "cards": [{"卡号", "账号"}, {"开户行"}, {"开户人姓名"}, {"开户人证件号码"}, {"开户时间"}],
    "phones": [{"手机号"}, {"实名人证件号码"}],
    "devices": [{"设备号"}, {"设备类型"}, {"关联手机号"}, {"关联卡号"}, {"证件号码"}],
    "transfers": [{"交易卡号"}, {"交易户名", "账户开户名称"}, {"交易证件号码", "开户人证件号码"}, {"交易时间"},
                  {"交易对手账卡号"}, {"交易流水号"}, {"现金标志"}],
    "seizures": [{"持有人证件号码"}, {"持有人姓名"}, {"物品类型"}, {"物品编号"}, {"扣押时间"}],
    "victims": [{"受害人姓名"}, {"受害人证件号码"}, {"转出卡号"}, {"收款卡号"}, {"转账金额"}, {"转账时间"}],
    "watchlist": [{"证件号码"}, {"姓名"}],
}
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small case of seed 1, generated once for the module."""
    out = tmp_path_factory.mktemp("demo-small")
    summary = generate(out, "small", 1)
    return out, summary, json.loads((out / "truth.json").read_text("utf-8"))


# ---------------------------------------------------------------- an independent reader
def valid_id(pid: str) -> bool:
    """Return True for an 18-character ID whose check character is right."""
    if not re.fullmatch(r"\d{17}[\dX]", pid):
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(pid, _W)) % 11] == pid[17]


def norm_id(v: str) -> str:
    """Normalise an ID: upper case, 15 digits upgraded to 18 with the check character."""
    v = str(v).strip().upper()
    if re.fullmatch(r"\d{15}", v):
        body = v[:6] + "19" + v[6:]
        return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]
    return v


def norm_card(v) -> str:
    """Normalise a card number to its digits."""
    return re.sub(r"\D", "", str(v or ""))


def norm_phone(v) -> str:
    """Normalise a phone to 11 digits (drop +86, 0086, 86, spaces, dashes)."""
    d = re.sub(r"\D", "", str(v or ""))
    for p in ("0086", "86"):
        if len(d) > 11 and d.startswith(p):
            d = d[len(p):]
    return d


def norm_device(v, kind) -> str:
    """Normalise a device key: MAC as AA:BB:CC:DD:EE:FF, IP stripped, IMEI digits."""
    v = str(v or "").strip()
    if kind == "MAC":
        h = re.sub(r"[^0-9A-Fa-f]", "", v).upper()
        return ":".join(h[i:i + 2] for i in range(0, 12, 2))
    return v


def read_rows(root: Path, entry: dict):
    """Yield (row number, dict) of a file as its truth entry declares it (format and encoding)."""
    path = root / entry["file"]
    if entry["format"] == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        rows = wb.active.iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        for n, r in enumerate(rows, 1):
            yield n, dict(zip(header, ["" if v is None else v for v in r]))
        wb.close()
        return
    text = path.read_bytes().decode(entry["encoding"])
    reader = csv.reader(io.StringIO(text), delimiter="\t" if entry["format"] == "tsv" else ",")
    header = next(reader)
    for n, r in enumerate(reader, 1):
        yield n, dict(zip(header, r))


def good_rows(root: Path, entry: dict):
    """Yield the rows of a file that are not planted bad rows."""
    bad = {b["row"] for b in entry["bad"]}
    for n, row in read_rows(root, entry):
        if n not in bad:
            yield row


def collect_keys(root: Path, truth: dict) -> dict:
    """Return the normalised keys of every person, card, phone and device the good rows mention."""
    keys = defaultdict(set)
    for e in truth["files"]:
        for r in good_rows(root, e):
            k = e["kind"]
            if k in ("persons", "watchlist"):
                keys["person"].add(norm_id(r.get("身份证号") or r.get("证件号码")))
                if r.get("手机号"):
                    keys["phone"].add(norm_phone(r["手机号"]))
            elif k == "cards":
                keys["card"].add(norm_card(r.get("卡号") or r.get("账号")))
                keys["person"].add(norm_id(r["开户人证件号码"]))
                if r.get("预留手机号"):
                    keys["phone"].add(norm_phone(r["预留手机号"]))
            elif k == "phones":
                keys["phone"].add(norm_phone(r["手机号"]))
                keys["person"].add(norm_id(r["实名人证件号码"]))
            elif k == "devices":
                keys["device"].add(norm_device(r["设备号"], r["设备类型"]))
                for col, t in (("关联手机号", "phone"), ("关联卡号", "card"), ("证件号码", "person")):
                    if r[col]:
                        keys[t].add(norm_phone(r[col]) if t == "phone" else norm_card(r[col]) if t == "card"
                                    else norm_id(r[col]))
            elif k == "transfers":
                keys["card"].add(norm_card(r["交易卡号"]))
                if r["交易对手账卡号"]:
                    keys["card"].add(norm_card(r["交易对手账卡号"]))
                for col in ("IP地址", "MAC地址"):
                    if r.get(col):
                        keys["device"].add(norm_device(r[col], "MAC" if col == "MAC地址" else "IP"))
            elif k == "seizures":
                keys["person"].add(norm_id(r["持有人证件号码"]))
                item = r["物品编号"]
                t = {"银行卡": "card", "手机卡": "phone"}.get(r["物品类型"], "device")
                keys[t].add(norm_card(item) if t == "card" else norm_phone(item) if t == "phone" else str(item))
            elif k == "victims":
                keys["person"].add(norm_id(r["受害人证件号码"]))
                keys["card"].update({norm_card(r["转出卡号"]), norm_card(r["收款卡号"])})
    return keys


# ---------------------------------------------------------------- tests
def test_same_seed_same_bytes(tmp_path, small):
    """Two runs with the same size and seed write identical files; another seed writes others."""
    root, _, truth = small
    again = tmp_path / "again"
    generate(again, "small", 1)
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    for n in names:
        assert (root / n).read_bytes() == (again / n).read_bytes(), n
    other = tmp_path / "other"
    generate(other, "small", 2)
    digest = hashlib.sha256((root / "交易明细_中国工商银行.csv").read_bytes()).hexdigest()
    assert digest != hashlib.sha256((other / "交易明细_中国工商银行.csv").read_bytes()).hexdigest()


def test_every_kind_with_its_headers(small):
    """Every kind has a file, each file's header holds the kind's required columns (aliases vary)."""
    root, _, truth = small
    entries = truth["files"] + truth["second_case"]["files"]
    assert {e["kind"] for e in truth["files"]} == KINDS
    for e in entries:
        assert (root / e["file"]).is_file(), e["file"]
        header = next(iter(read_rows(root, e)))[1].keys()
        assert list(header) == e["header"], e["file"]
        for need in REQUIRED[e["kind"]]:
            assert need & set(header), f"{e['file']}: none of {need}"
    headers = [set(e["header"]) for e in truth["files"]]
    for a, b in (("收付标志", "借贷标志"), ("卡号", "账号"), ("交易户名", "账户开户名称"), ("身份证号", "证件号码")):
        assert any(a in h for h in headers) and any(b in h for h in headers), (a, b)


def test_formats_encodings_and_directions(small):
    """CSV, TSV and .xlsx; UTF-8, UTF-8 BOM, GBK, GB18030 each really so; five direction encodings."""
    root, _, truth = small
    assert {e["format"] for e in truth["files"]} == {"csv", "tsv", "xlsx"}
    assert {e["encoding"] for e in truth["files"]} >= {"utf-8", "utf-8-sig", "gbk", "gb18030"}
    for e in truth["files"]:
        raw = (root / e["file"]).read_bytes()
        if e["format"] == "xlsx":
            assert raw[:2] == b"PK"
            continue
        raw.decode(e["encoding"])
        assert raw.startswith(b"\xef\xbb\xbf") == (e["encoding"] == "utf-8-sig"), e["file"]
        if e["encoding"] in ("gbk", "gb18030"):
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        if e["encoding"] == "gb18030":          # a character outside GBK: GBK cannot read this file
            with pytest.raises(UnicodeDecodeError):
                raw.decode("gbk")
    directions = {e["direction"] for e in truth["files"] if e["kind"] == "transfers"}
    assert directions == {"jc", "jd", "dc", "two", "sign"}


def test_messy_values_present(small):
    """Phones, cards, amounts, times, MACs and IDs come in the messy forms investigators receive."""
    root, _, truth = small
    text = "".join((root / e["file"]).read_bytes().decode(e["encoding"]) for e in truth["files"]
                   if e["format"] != "xlsx")
    for pattern in (r"\+86 1\d{10}", r"0086 ?1\d{10}", r"1\d\d \d{4} \d{4}", r"62\d\d \d{4} \d{4}", r"62\d\d-\d{4}-",
                    r"¥\d{1,3},\d{3}\.\d\d", r"\d+(\.\d+)?元", r"20\d\d/\d{1,2}/\d{1,2} \d{1,2}:\d\d:\d\d",
                    r"\b20\d{12}\b", r"[0-9a-f]{2}-[0-9a-f]{2}-[0-9a-f]{2}", r"\b[0-9A-F]{12}\b", r"\b\d{15}\b"):
        assert re.search(pattern, text), pattern


def test_truth_keys_roles_and_ids(small):
    """Every planted key is in the files, roles come from the allowed set, IDs are valid, no overlaps."""
    root, _, truth = small
    keys = collect_keys(root, truth)
    members = set()
    for g in truth["gangs"]:
        roles = {m["role"] for m in g["members"]}
        assert roles <= ROLES and {"金主", "骨干", "卡商", "卡农", "一级卡", "二级卡", "取现"} <= roles, g["id"]
        for m in g["members"] + g["victims"]:
            assert m["key"] in keys[m["type"]], (g["id"], m)
            if m["type"] == "person":
                assert valid_id(m["key"]), m
        gm = {(m["type"], m["key"]) for m in g["members"]}
        assert not gm & members, "a member in two gangs"
        members |= gm
        assert not {("person", v["key"]) for v in g["victims"]} & gm
        layers = {m["key"]: m["role"] for m in g["members"] if m["type"] == "card"}
        assert set(g["first_level_cards"]) == {k for k, r in layers.items() if r == "一级卡"}
        assert set(g["downstream"]) == set(g["first_level_cards"])
        for f, down in g["downstream"].items():
            assert down and {layers[c] for c in down} <= {"二级卡", "三级卡", "取现"}
    for c in truth["clusters"]:
        for d in c["devices"] + c["members"]:
            assert d["key"] in keys[d["type"]], d
    for h in truth["hubs"]:
        assert h["key"] in keys[h["type"]], h
    persons = {("person", p) for p in truth["innocent"]["persons"]}
    cards = {("card", c) for c in truth["innocent"]["cards"]}
    assert not (persons | cards) & members
    assert all(valid_id(p) for p in truth["innocent"]["persons"])
    assert {a["kind"] for a in truth["alerts"]} == {"high_frequency_opening", "watchlist", "holder_mismatch",
                                                   "cross_case"}
    for a in truth["alerts"]:
        assert a["keys"][0] in keys[a["type"]], a


def test_bad_rows_are_bad(small):
    """Each planted bad row is broken in the way recorded; rows and bad_rows counts match the files."""
    root, _, truth = small
    for e in truth["files"] + truth["second_case"]["files"]:
        rows = dict(read_rows(root, e))
        assert len(rows) == e["rows"] and len(e["bad"]) == e["bad_rows"], e["file"]
        if e in truth["files"]:
            assert e["bad_rows"] >= (3 if e["kind"] == "transfers" else 1), e["file"]
        for b in e["bad"]:
            r = rows[b["row"]]
            reason = b["reason"]
            if "ID check" in reason:
                ids_ = [v for k, v in r.items() if "证件号码" in k or k == "身份证号"]
                assert any(v and not valid_id(norm_id(v)) for v in ids_), (e["file"], b)
            elif "missing card" in reason:
                assert not norm_card(r.get("交易卡号") or r.get("卡号") or r.get("账号")), (e["file"], b)
            elif "non-numeric" in reason:
                assert any(re.search(r"[壹若]", str(v)) for v in r.values()), (e["file"], b)
            elif "unparsable time" in reason:
                assert re.search(r"02-30|13月", str(r["交易时间"])), (e["file"], b)
            elif "truncated" in reason:
                assert len([v for v in r.values() if v is not None]) < len(e["header"])
                assert not (root / e["file"]).read_bytes().endswith(b"\n")
            elif "phone" in reason:
                assert len(norm_phone(r["手机号"])) != 11
            elif "missing device" in reason:
                assert not r["设备号"]
            else:
                pytest.fail(f"unknown bad-row reason {reason}")
    id_cols = ("身份证号", "证件号码", "开户人证件号码", "交易证件号码", "对手身份证号", "实名人证件号码", "持有人证件号码",
               "受害人证件号码")
    for e in truth["files"] + truth["second_case"]["files"]:   # every other ID anywhere is valid once normalised
        cols = [c for c in e["header"] if c in id_cols]
        for r in good_rows(root, e):
            for c in cols:
                assert not r[c] or valid_id(norm_id(r[c])), (e["file"], c, r[c])


def _transfers(root: Path, truth: dict):
    """Return the transfers of the case, both sides merged by serial: serial -> (from, to, fen, time)."""
    out, cash = {}, 0
    for e in truth["files"]:
        if e["kind"] != "transfers":
            continue
        d = e["direction"]
        for r in good_rows(root, e):
            me, cp = norm_card(r["交易卡号"]), norm_card(r["交易对手账卡号"])
            if d == "two":
                amount, out_side = (r["支出"], True) if r["支出"] else (r["存入"], False)
            else:
                amount = str(r["交易金额"])
                out_side = {"jc": lambda: r["收付标志"] == "出", "jd": lambda: r["借贷标志"] == "借",
                            "dc": lambda: r["借贷标志"] == "D", "sign": lambda: amount.startswith("-")}[d]()
            if d != "sign":
                assert not str(amount).lstrip("¥").startswith("-"), (e["file"], r)
            fen = round(float(re.sub(r"[^\d.]", "", str(amount))) * 100)
            assert fen > 0, (e["file"], r)
            t = r["交易时间"]
            if not isinstance(t, str):
                t = t.strftime("%Y%m%d%H%M%S")
            t = int(re.sub(r"\D", "", t) if len(re.sub(r"\D", "", t)) == 14 else _pad(t))
            if r["现金标志"] == "现金":
                cash += 1
                continue
            pair = (me, cp) if out_side else (cp, me)
            seen = out.setdefault(r["交易流水号"], (pair[0], pair[1], fen, t))
            assert seen == (pair[0], pair[1], fen, t), "the two sides of a transfer disagree"
    return out, cash


def _pad(t: str) -> str:
    """Turn 2023/1/2 3:04:05 into 20230102030405."""
    d, h = t.split(" ")
    y, m, day = d.replace("-", "/").split("/")
    hh, mm, ss = h.split(":")
    return f"{y}{int(m):02d}{int(day):02d}{int(hh):02d}{mm}{ss}"


def _minutes(t: int) -> int:
    """Minutes since 2000 of a YYYYMMDDHHMMSS integer (coarse calendar is enough for deltas here)."""
    import datetime as dt

    s = str(t)
    return int(dt.datetime.strptime(s, "%Y%m%d%H%M%S").timestamp() // 60)


def test_transfer_count_and_downstream(small):
    """Transfers counted once across both sides; each 一级卡 reaches its downstream time-respectingly."""
    root, summary, truth = small
    tx, _ = _transfers(root, truth)
    assert len(tx) == truth["counts"]["transfers"] == summary["transfers"] >= SIZES["small"]["transfers"]
    assert truth["counts"]["both_sides"] > 1000
    out = defaultdict(list)
    for a, b, fen, t in tx.values():
        out[a].append((_minutes(t), b))
    for g in truth["gangs"]:
        for first, down in g["downstream"].items():
            # follow transfer events: each hop at or after the previous one, at most 1440 minutes later
            frontier = [(b, m) for m, b in out[first]]
            reached, seen = {b for b, _ in frontier}, set(frontier)
            for _hop in range(3):
                nxt = []
                for card, arrived in frontier:
                    for m, b in out[card]:
                        if arrived <= m <= arrived + 1440 and (b, m) not in seen:
                            seen.add((b, m))
                            nxt.append((b, m))
                            reached.add(b)
                frontier = nxt
            assert set(down) <= set(reached), (g["id"], first, set(down) - set(reached))


def test_planted_alerts_match_the_data(small):
    """high_frequency_opening and holder_mismatch are raised exactly where the data says so."""
    root, _, truth = small
    opened = defaultdict(list)
    owner = {}
    for e in truth["files"]:
        if e["kind"] == "cards":
            for r in good_rows(root, e):
                t = r["开户时间"]
                t = t.strftime("%Y%m%d%H%M%S") if not isinstance(t, str) else t
                digits = re.sub(r"\D", "", t)
                t = int(digits if len(digits) == 14 else _pad(t))
                pid = norm_id(r["开户人证件号码"])
                opened[pid].append((_minutes(t), r["开户行"]))
                owner[norm_card(r.get("卡号") or r.get("账号"))] = pid
    th = truth["thresholds"]["high_frequency_opening"]
    hot = set()
    for pid, cards in opened.items():
        times = sorted(m for m, _ in cards)
        burst = any(times[i + th["cards"] - 1] - times[i] <= th["days"] * 1440
                    for i in range(len(times) - th["cards"] + 1))
        if burst or len({b for _, b in cards}) >= th["banks"]:
            hot.add(pid)
    planted = {a["keys"][0] for a in truth["alerts"] if a["kind"] == "high_frequency_opening"}
    assert planted and hot == planted
    mismatch = set()
    for e in truth["files"]:
        if e["kind"] == "seizures":
            for r in good_rows(root, e):
                if r["物品类型"] == "银行卡":
                    card = norm_card(r["物品编号"])
                    if owner.get(card) and owner[card] != norm_id(r["持有人证件号码"]):
                        mismatch.add((card, norm_id(r["持有人证件号码"]), owner[card]))
    planted = {tuple(a["keys"]) for a in truth["alerts"] if a["kind"] == "holder_mismatch"}
    assert planted and mismatch == planted
    dealers = defaultdict(int)
    for card, holder, _ in mismatch:
        dealers[holder] += 1
    for g in truth["gangs"]:
        for m in g["members"]:
            if m["role"] == "卡商":
                assert dealers[m["key"]] >= 3
            if m["role"] == "取现":
                assert dealers.get(m["key"], 0) <= 2


def test_size_parameters():
    """medium aims at 200,000 transfers, large at more than 1,000,000 (the shopping fills up to it)."""
    assert SIZES["small"]["transfers"] >= 20_000
    assert SIZES["medium"]["transfers"] >= 200_000
    assert SIZES["large"]["transfers"] >= 1_000_000
    assert SIZES["large"]["gangs"] >= 60 and SIZES["medium"]["gangs"] >= 20 and SIZES["small"]["gangs"] >= 5


def test_cli_writes_the_case(runner, tmp_path):
    """`pochuan demo-data --json` prints the summary and writes truth.json; a foreign folder is refused."""
    result = runner.invoke(["demo-data", "--size", "small", "--seed", "7", "--json", str(tmp_path / "case")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["case"] == "DEMO-small-7" and summary["transfers"] >= 20_000
    assert (tmp_path / "case" / "truth.json").is_file()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    result = runner.invoke(["demo-data", str(tmp_path / "other")])
    assert result.exit_code == 2 and "错误 error" in result.output


@pytest.mark.parametrize("seed", [2, 3, 4, 5])
def test_other_seeds_plant_sound_worlds(seed):
    """Other seeds: positive amounts, time-sorted transfers, every gang with victims and a full chain."""
    from loaders.demo import build_world

    w = build_world("small", seed)
    assert all(t[3] > 0 for t in w.tx) and all(a[0] <= b[0] for a, b in zip(w.tx, w.tx[1:]))
    assert len(w.truth["gangs"]) == SIZES["small"]["gangs"]
    for g in w.truth["gangs"]:
        assert g["victims"] and all(g["downstream"].values()), g["id"]
