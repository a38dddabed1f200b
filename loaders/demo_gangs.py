"""Planted fraud gangs of the demo case: who plays which role, their cards, devices, seizures and money.

Each gang follows docs (CONTRACT role semantics): 卡农 own the cards, 卡商 are seized holding them,
骨干 operate them from shared devices, victims pay 一级卡, money is split within minutes to 二级卡,
then to 三级卡 (which pass it to the 金主's sink card) or to 取现 cards emptied at ATMs and counters.
"""
from __future__ import annotations

from . import demo_ids as ids
from .demo_world import DAY, MIN, REPLYING, T0, K_ATM, K_COUNTER, K_GANG, K_SHOP, K_VICTIM, World

__all__ = ["plant_gangs"]

_PLACES = ["出租屋", "宾馆房间", "小区车库", "网吧包间", "写字楼办公室"]
_CATEGORIES = ["涉两卡人员", "断卡行动重点人员", "电诈前科人员"]
_SOURCES = ["省反诈中心", "公安部下发", "市局刑侦支队"]


def plant_gangs(w: World):
    """Plant every gang with its victims; record members, clusters, alerts and downstream in truth."""
    for g in range(w.p["gangs"]):
        _gang(w, g)


def _new_person(w: World, year_from=1970, year_to=2003) -> int:
    """Add a gang-side person (no innocent traffic of their own)."""
    return w.person(year_from=year_from, year_to=year_to)


def _gang(w: World, g: int):
    """Plant gang number g."""
    rng = w.rng
    start = rng.randint(40, 300)
    span = rng.randint(15, 50)
    boss = _new_person(w, 1965, 1990)
    cores = [_new_person(w, 1980, 2000) for _ in range(rng.randint(1, 2))]
    dealers = [_new_person(w, 1975, 2000) for _ in range(rng.randint(1, 2))]
    n1, n2, n3, nq = rng.randint(3, 5), rng.randint(4, 6), rng.randint(2, 4), rng.randint(2, 3)
    cashers = [_new_person(w, 1985, 2003) for _ in range((nq + 1) // 2)]
    roles = ["一级卡"] * n1 + ["二级卡"] * n2 + ["三级卡"] * n3 + ["取现"] * nq
    farmers, owner_of = _farm_cards(w, g, len(roles), start)
    cards = [w.card(owner_of[k][0], owner_of[k][1], owner_of[k][2], bal=rng.randint(0, 500_00))
             for k in range(len(roles))]
    _before_sale(w, cards, start)
    sinks = [w.card(boss, w.bank(), T0 + (start - rng.randint(30, 200)) * DAY, bal=rng.randint(1000_00, 90000_00))
             for _ in range(rng.randint(1, 2))]
    by_role = {r: [c for c, rr in zip(cards, roles) if rr == r] for r in ("一级卡", "二级卡", "三级卡", "取现")}
    nets, devices = _devices(w, g, boss, cores, cards + sinks, start, span)
    seized = start + span + rng.randint(3, 40)
    _seize(w, dealers, cashers, farmers, by_role, seized)
    for k, i in enumerate(cores):           # the 骨干's handset is seized too
        w.seizures.append((i, "手机", devices[k][0], T0 + seized * DAY + 5 * 3600 + k * 600, "抓获现场"))
    victims, down = _money(w, by_role, sinks, nets, start, span)
    gid = f"G{g + 1}"
    members = [{"type": "person", "key": w.persons[boss].pid, "role": "金主"}]
    members += [{"type": "person", "key": w.persons[i].pid, "role": "骨干"} for i in cores]
    members += [{"type": "person", "key": w.persons[i].pid, "role": "卡商"} for i in dealers]
    members += [{"type": "person", "key": w.persons[i].pid, "role": "卡农"} for i in farmers]
    members += [{"type": "person", "key": w.persons[i].pid, "role": "取现"} for i in cashers]
    members += [{"type": "card", "key": w.card_no[c], "role": r} for c, r in zip(cards, roles)]
    members += [{"type": "card", "key": w.card_no[c], "role": None, "what": "金主卡 sink"} for c in sinks]
    members += [{"type": "phone", "key": w.persons[i].phone, "role": None} for i in cores]
    members += [{"type": "device", "key": d, "role": None} for d, _ in devices]
    w.truth["gangs"].append({
        "id": gid, "members": members,
        "victims": [{"type": "person", "key": w.persons[v].pid} for v in victims],
        "first_level_cards": [w.card_no[c] for c in by_role["一级卡"]],
        "downstream": {w.card_no[f]: [w.card_no[c] for c in cards if c in down[f]] for f in by_role["一级卡"]},
        "window": [_day(start), _day(start + span + 2)]})
    w.truth["clusters"].append({
        "id": f"D{g + 1}", "gang": gid,
        "devices": [{"type": "device", "key": d} for d, _ in devices] +
                   [{"type": "phone", "key": w.persons[i].phone} for i in cores],
        "members": [{"type": "card", "key": w.card_no[c]} for c in cards + sinks] +
                   [{"type": "person", "key": w.persons[i].pid} for i in [boss] + cores] +
                   [{"type": "phone", "key": w.persons[i].phone} for i in cores]})
    listed = [i for i in dealers + farmers if rng.random() < 0.3] or [dealers[0]]
    for i in listed:
        w.watch.append((i, rng.choice(_CATEGORIES), rng.choice(_SOURCES)))
    w.gang_people.append([boss] + cores + dealers + farmers + cashers)
    w.gang_cards.append((by_role, sinks))


def _day(d: int) -> str:
    """Return the date of day d of 2023 as YYYY-MM-DD."""
    import datetime as dt
    return (dt.date(2023, 1, 1) + dt.timedelta(days=d)).isoformat()


def _farm_cards(w: World, g: int, n: int, start: int):
    """Make the 卡农 and decide who opens which card where and when: (owner, bank, opened) per card.

    Gangs g % 3 == 0 get one 卡农 who opens 5 cards within 30 days; g % 3 == 1 one who opens 4 cards
    at 4 banks over months (both raise high_frequency_opening); every other 卡农 opens 1-3 cards at
    no more than 3 banks, which must not raise it.
    """
    rng = w.rng
    farmers, plan = [], []
    if g % 3 in (0, 1):
        f = _new_person(w, 1975, 2003)
        farmers.append(f)
        if g % 3 == 0:
            banks = [rng.randrange(REPLYING) for _ in range(5)]
            t = T0 + (start - rng.randint(20, 60)) * DAY
            plan += [(f, banks[k], t + rng.randint(0, 25) * DAY + rng.randint(9 * 3600, 16 * 3600))
                     for k in range(5)]
        else:
            banks = rng.sample(range(REPLYING), 4)
            plan += [(f, b, T0 + (start - rng.randint(10, 300)) * DAY + 10 * 3600) for b in banks]
        w.truth["alerts"].append({"kind": "high_frequency_opening", "keys": [w.persons[f].pid],
                                  "type": "person", "gang": f"G{g + 1}"})
    while len(plan) < n:
        f = _new_person(w, 1975, 2003)
        farmers.append(f)
        k = min(rng.randint(1, 3), n - len(plan))
        banks = rng.sample(range(REPLYING), min(k, 3))
        plan += [(f, banks[j % len(banks)], T0 + (start - rng.randint(10, 200)) * DAY + 11 * 3600) for j in range(k)]
    rng.shuffle(plan)
    return farmers, plan


def _before_sale(w: World, cards: list, start: int):
    """Some cards had an ordinary life before the 卡农 sold them: purchases at platforms and popular shops."""
    rng = w.rng
    for c in cards:
        if rng.random() < 0.4:
            first = (w.card_opened[c] - T0) // DAY + 1
            for _ in range(rng.randint(1, 5)):
                day = rng.randint(min(first, start - 2), start - 2)
                popular = w.merchants[rng.randrange(min(10, len(w.merchants)))]
                dst = rng.choice(w.platforms) if rng.random() < 0.5 else popular
                w.add(w.daytime(day, 8, 22), c, dst, rng.randint(10_00, 800_00), K_SHOP, 0, 1)


def _devices(w: World, g: int, boss: int, cores: list, cards: list, start: int, span: int):
    """Give the gang its den (MAC, IP) and each 骨干 a handset; record who and what used them.

    Returns the net indices transfers of the gang are made from and the planted devices (key, kind).
    """
    rng = w.rng
    ip, mac = ids.make_ip(rng, w.used_dev), ids.make_mac(rng, w.used_dev)
    imeis = [ids.make_imei(rng, w.used_dev) for _ in cores]
    first, last = T0 + (start - 5) * DAY + 36000, T0 + (start + span) * DAY + 70000
    rows = w.dev_rows
    for imei, i in zip(imeis, cores):
        rows.append((imei, "IMEI", "phone", w.persons[i].phone, first, last))
        rows.append((imei, "IMEI", "person", w.persons[i].pid, first, last))
    rows.append((imeis[0], "IMEI", "person", w.persons[boss].pid, first, last))
    rows.append((ip, "IP", "person", w.persons[boss].pid, first, last))
    rows.append((mac, "MAC", "phone", w.persons[boss].phone, first, last))
    for k, c in enumerate(cards):
        rows.append((imeis[k % len(imeis)], "IMEI", "card", w.card_no[c], first, last))
        if rng.random() < 0.5:
            rows.append((ip, "IP", "card", w.card_no[c], first, last))
    nets = [w.netdev(ip, mac)] * 9 + [w.netdev(w.hubs[g % len(w.hubs)], mac)]
    return nets, [(imei, "IMEI") for imei in imeis] + [(mac, "MAC"), (ip, "IP")]


def _seize(w: World, dealers, cashers, farmers, by_role, day):
    """Write the seizure list: 卡商 with the layered cards, SIMs and U盾 of 卡农; 取现 with their cards."""
    rng = w.rng
    t = T0 + day * DAY + rng.randint(6 * 3600, 22 * 3600)
    place = f"{rng.choice(list(ids.ADDRESS_OF.values()))}某小区{rng.randint(1, 30)}栋{_PLACES[rng.randrange(5)]}"
    layered = by_role["一级卡"] + by_role["二级卡"] + by_role["三级卡"]
    for k, c in enumerate(layered):
        holder = dealers[k % len(dealers)]
        w.seizures.append((holder, "银行卡", w.card_no[c], t + k * 60, place))
        _mismatch(w, c, holder)
        if rng.random() < 0.3:
            w.seizures.append((holder, "U盾", f"UK{w.card_no[c][-10:]}", t + k * 60 + 30, place))
    for k, f in enumerate(farmers):
        if rng.random() < 0.7:
            w.seizures.append((dealers[k % len(dealers)], "手机卡", w.persons[f].phone, t + 3000 + k * 60, place))
    for k, c in enumerate(by_role["取现"]):
        holder = cashers[k // 2]
        w.seizures.append((holder, "银行卡", w.card_no[c], t + 7200 + k * 60, "ATM附近抓获现场"))
        _mismatch(w, c, holder)


def _mismatch(w: World, card: int, holder: int):
    """Record the holder_mismatch alert of a card seized from someone other than its owner."""
    owner = w.card_owner[card]
    if owner != holder:
        w.truth["alerts"].append({"kind": "holder_mismatch", "type": "card",
                                  "keys": [w.card_no[card], w.persons[holder].pid, w.persons[owner].pid]})


def _money(w: World, by_role, sinks, nets, start, span):
    """Victims pay 一级卡; money is split down the layers within minutes; return victims, downstream."""
    rng = w.rng
    firsts, seconds, thirds, cashes = by_role["一级卡"], by_role["二级卡"], by_role["三级卡"], by_role["取现"]
    down = {f: set() for f in firsts}
    victims = []
    pool = w.victim_pool
    earlier = w.victims_so_far
    again = [earlier[rng.randrange(len(earlier))]] if earlier and rng.random() < 0.4 else []
    for k in range(rng.randint(w.p["victims"] * 3 // 4, w.p["victims"] * 5 // 4)):
        v = again.pop() if again else pool.pop()   # now and then a victim of an earlier gang is cheated again
        victims.append(v)
        vc = w.personal[v]
        t = w.daytime(start + rng.randrange(span), 9, 22)
        fen = rng.randint(5, 50) * 100_00
        for k in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
            f = firsts[(t // 3600) % len(firsts)]
            w.add(t, vc, f, fen, K_VICTIM, w.home[v], 3 if rng.random() < 0.9 else 2)
            w.reports.append((v, vc, f, fen, t, t + rng.randint(1, 72) * 3600 + (k == 0) * 3 * DAY))
            _split(w, f, fen, t, seconds, thirds, cashes, sinks, nets, down[f])
            t += rng.randint(20, 300) * MIN
            fen = min(int(fen * rng.uniform(1.3, 2.5)) // 100 * 100, 500_000_00)
    w.victims_so_far = earlier + victims
    for s in sinks:
        for _ in range(rng.randint(2, 6)):
            w.add(w.daytime(start + rng.randrange(span + 30)), s, w.platforms[0], rng.randint(200_00, 9000_00),
                  K_SHOP, nets[0], 1)
    return victims, down


def _split(w: World, f, fen, t, seconds, thirds, cashes, sinks, nets, reached):
    """Pass one victim payment from a 一级卡 down to 二级, then 三级 (to the sink) or 取现 cards."""
    rng = w.rng
    k2 = 1 if fen < 3000_00 else rng.randint(2, min(3, len(seconds)))
    parts = _parts(rng, _fee(rng, fen, 50), k2)
    for s, amt in zip(rng.sample(seconds, k2), parts):
        t2 = t + rng.randint(1, 15) * MIN + rng.randint(0, 59)
        w.add(t2, f, s, amt, K_GANG, rng.choice(nets), _gang_sides(rng))
        reached.add(s)
        k3 = 1 if amt < 2000_00 else 2
        for dst, amt3 in zip(rng.sample(thirds + cashes, k3), _parts(rng, _fee(rng, amt, 20), k3)):
            t3 = t2 + rng.randint(1, 30) * MIN + rng.randint(0, 59)
            w.add(t3, s, dst, amt3, K_GANG, rng.choice(nets), _gang_sides(rng))
            reached.add(dst)
            if dst in cashes:
                _cash_out(w, dst, amt3, t3)
            else:
                w.add(t3 + rng.randint(10, 600) * MIN, dst, rng.choice(sinks), _fee(rng, amt3, 10),
                      K_GANG, rng.choice(nets), _gang_sides(rng))


def _cash_out(w: World, card, fen, t):
    """Empty a 取现 card: one counter withdrawal for large sums, else ATM withdrawals of up to 5,000."""
    rng = w.rng
    t += rng.randint(5, 120) * MIN
    if fen > 20000_00:
        w.add(t, card, -1, fen // 100_00 * 100_00, K_COUNTER, w.cashpoint(w.card_bank[card]), 1)
        return
    point = w.cashpoint(w.card_bank[card])
    left = fen // 100_00 * 100_00
    while left > 0:
        take = min(left, 5000_00)
        w.add(t, card, -1, take, K_ATM, point, 1)
        left -= take
        t += rng.randint(40, 400)


def _parts(rng, fen: int, k: int) -> list:
    """Split an amount in fen into k uneven parts (each at least a sixth of an even share) that sum to it."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(k)]
    total = sum(weights)
    parts = [int(fen * x / total) // 100 * 100 for x in weights[:-1]]
    return parts + [fen - sum(parts)]


def _fee(rng, fen: int, most: int) -> int:
    """Return the amount less a small fee of up to `most` yuan, never more than a tenth of it."""
    return fen - min(rng.randint(0, most) * 100, fen // 10)


def _gang_sides(rng) -> int:
    """Which bank replies show a gang transfer: usually both (the gang's cards are all queried)."""
    r = rng.random()
    return 3 if r < 0.85 else (1 if r < 0.93 else 2)
