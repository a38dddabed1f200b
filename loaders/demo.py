"""`pochuan demo-data`: write a realistic fraud case as input files, with the ground truth of what was planted.

generate(out_dir, size, seed) builds the world (loaders.demo_world, loaders.demo_gangs), writes every kind
of file in the layouts loaders read (loaders.demo_tables, loaders.demo_transfers), a second small case in
out_dir/case2 sharing a few entities (串并案), and truth.json (schema in helpers' CONTRACT; keys normalised
as docs/data-model.md says). The same size and seed give the same bytes.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from . import demo_ids as ids
from . import demo_world as dw
from .demo_gangs import plant_gangs
from .demo_sinks import Sink
from .demo_tables import write_tables
from .demo_transfers import LAYOUTS, _header, write_transfers

__all__ = ["generate", "build_world", "SIZES"]

SIZES = dw.SIZES
NOTES = {
    "rows": "files[].rows counts data rows (header excluded) = what a loader reads; files[].bad[].row numbers "
            "data rows from 1; every bad row must be rejected, every other row loaded",
    "roles": "role null marks members without a scored role: the 金主's sink cards (what: 金主卡 sink), the 骨干's "
             "phones and the gang's devices (IMEI, den MAC and IP)",
    "downstream": "per 一级卡: the 二级卡, 三级卡 and 取现 cards its victims' money reaches, each hop at or after the "
                  "previous one and at most 1440 minutes later, in at most 3 hops",
    "alerts": "keys: high_frequency_opening and watchlist [person ID]; holder_mismatch [card, holder ID, owner ID]; "
              "cross_case [entity key], raised once second_case is loaded as its own case",
    "counts": "transfers counts each transfer once (both sides share the 交易流水号); cash withdrawals and deposits "
              "(现金标志 现金, no counterparty) are counted in cash",
    "hubs": "public Wi-Fi IPs used by hundreds of cards (some gang cards too), payment platforms and large employers",
}


def build_world(size: str, seed: int) -> dw.World:
    """Build the whole case in memory: innocents, businesses, gangs, traffic, sorted transfers."""
    w = dw.World(size, seed)
    dw._innocents(w)
    dw._cashpoints(w)
    dw._businesses(w)
    owners = {w.card_owner[c] for c in w.merchants} | {w.card_owner[e[0]] for e in w.employers}
    pool = [i for i in range(w.p["persons"]) if i not in owners]
    w.rng.shuffle(pool)
    w.victim_pool = pool
    plant_gangs(w)
    w.victims_all = sorted({i for g in w.truth["gangs"] for i in _victims(w, g)})
    dw._innocent_traffic(w)
    have = sum(1 for t in w.tx if t[1] >= 0 and t[2] >= 0)
    dw._shopping(w, max(w.p["transfers"] - have, 0))
    w.tx.sort()
    _watch_innocents(w)
    _merchant_hubs(w)
    return w


def _merchant_hubs(w: dw.World, least: int = 50):
    """List the shops paid by many different cards among the hubs (victims and gang cards shop there too)."""
    shops = set(w.merchants)
    payers = {}
    for t in w.tx:
        if t[2] in shops:
            payers.setdefault(t[2], set()).add(t[1])
    for m in w.merchants:
        if len(payers.get(m, ())) >= least:
            w.truth["hubs"].append({"type": "card", "key": w.card_no[m], "what": "商户 merchant"})


def _victims(w: dw.World, gang: dict) -> list:
    """Return the person indices of a gang's victims."""
    index = {p.pid: i for i, p in enumerate(w.persons)} if not hasattr(w, "_pid_index") else w._pid_index
    w._pid_index = index
    return [index[v["key"]] for v in gang["victims"]]


def _watch_innocents(w: dw.World):
    """Put a few people with no part in the gangs on the watch list too (old records)."""
    for i in w.rng.sample(range(w.p["persons"]), 4):
        w.watch.append((i, "电诈前科人员", "市局刑侦支队"))


def _truth_people(w: dw.World):
    """Fill truth's watchlist alerts and the innocent persons and cards."""
    t = w.truth
    for i, _, _ in w.watch:
        t["alerts"].append({"kind": "watchlist", "type": "person", "keys": [w.persons[i].pid]})
    gang_p = {i for g in w.gang_people for i in g}
    gang_c = {c for by_role, sinks in w.gang_cards for cs in list(by_role.values()) + [sinks] for c in cs}
    t["innocent"]["persons"] = [p.pid for i, p in enumerate(w.persons) if i not in gang_p]
    t["innocent"]["cards"] = [w.card_no[c] for c in range(len(w.card_no)) if c not in gang_c]
    t["innocent"]["families"] = [[w.persons[m].pid for m in fam] for fam in w.families]


def _second_case(w: dw.World, root: Path) -> dict:
    """Write case2/: another case where some 卡商 and 二级卡 of this one turn up again (串并案)."""
    rng = w.rng
    case2 = f"{w.case}-B"
    shared = {"small": 2, "medium": 3, "large": 6}[w.size]
    lay = LAYOUTS[0]
    tx = Sink(root, "case2/交易明细_二案_中国工商银行.csv", "transfers", _header(lay), "utf-8")
    cards = Sink(root, "case2/开户信息_二案.csv", "cards", ["卡号", "开户行", "开户人姓名", "开户人证件号码", "开户时间",
                                                         "开户网点", "预留手机号", "账户状态"], "utf-8")
    seiz = Sink(root, "case2/扣押清单_二案.csv", "seizures", ["持有人证件号码", "持有人姓名", "物品类型", "物品编号",
                                                          "扣押时间", "扣押地点"], "utf-8-sig")
    serial = 0
    for g in range(min(shared, len(w.gang_people))):
        gang = w.truth["gangs"][g]
        dealer = next(m["key"] for m in gang["members"] if m["role"] == "卡商")
        dealer_i = w._pid_index[dealer]
        second = w.gang_cards[g][0]["二级卡"][0]
        new = []
        for _ in range(2):
            f = w.person(year_from=1980, year_to=2003)
            for _ in range(2):
                c = w.card(f, 0, dw.T0 + rng.randint(300, 340) * dw.DAY + 36000, bal=0)
                new.append(c)
                p = w.persons[f]
                cards.row([w.card_no[c], ids.BANKS[0][0], p.name, p.pid, _fmt(w.card_opened[c]), "中国工商银行某支行",
                           p.phone, "正常"])
        for c in new:
            seiz.row([dealer, w.persons[dealer_i].name, "银行卡", w.card_no[c], _fmt(dw.T0 + 360 * dw.DAY), "二案抓获现场"])
        t = dw.T0 + rng.randint(341, 355) * dw.DAY + 40000
        for k in range(20):
            src = new[k % len(new)]
            fen = rng.randint(10, 90) * 100_00
            serial += 1
            p = w.persons[w.card_owner[src]]
            q = w.persons[w.card_owner[second]]
            tx.row([w.card_no[src], w.card_no[src], p.name, p.pid, _fmt(t), f"{fen // 100}.{fen % 100:02d}", "0.00",
                    "出", w.card_no[second], q.name, q.pid, ids.BANKS[w.card_bank[second]][0],
                    f"B{t}{serial:06d}", "转账", "", "手机银行", "", "", "转账"])
            t += rng.randint(5, 90) * 60
        w.truth["alerts"].append({"kind": "cross_case", "type": "person", "keys": [dealer], "other_case": case2})
        w.truth["alerts"].append({"kind": "cross_case", "type": "card", "keys": [w.card_no[second]],
                                  "other_case": case2})
    return {"case": case2, "dir": "case2", "files": [tx.close(), cards.close(), seiz.close()],
            "load": f"pochuan load --case {case2} OUT_DIR/case2/*  (after loading OUT_DIR/* as {w.case})"}


def _fmt(ts: int) -> str:
    """Format a time as YYYY-MM-DD HH:MM:SS."""
    import datetime as dt
    return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=ts)).strftime("%Y-%m-%d %H:%M:%S")


def generate(out_dir, size: str = "small", seed: int = 1) -> dict:
    """Write the demo case of a size and seed into out_dir; return a summary (counts, seconds, files)."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; one of {', '.join(SIZES)}")
    started = time.perf_counter()
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    w = build_world(size, seed)
    built = time.perf_counter()
    files = write_tables(w, root)
    tfiles, counts = write_transfers(w, root)
    w.truth["files"] = files + tfiles
    w.truth["second_case"] = _second_case(w, root)
    _truth_people(w)
    w.truth["notes"] = NOTES
    w.truth["counts"] = {**counts, "persons": len(w.persons), "cards": len(w.card_no), "gangs": len(w.gang_people),
                         "victims": len(w.victims_all), "reports": len(w.reports), "seizures": len(w.seizures)}
    (root / "truth.json").write_text(json.dumps(w.truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    done = time.perf_counter()
    return {"out_dir": str(root), "case": w.case, "size": size, "seed": seed, **w.truth["counts"],
            "files": len(w.truth["files"]) + len(w.truth["second_case"]["files"]),
            "seconds": round(done - started, 2), "build_seconds": round(built - started, 2)}
