"""The demo case's world: people, cards, phones, devices, planted gangs and innocent traffic, in memory.

`build_world(size, seed)` returns a `World` whose lists the writers (loaders.demo_files) turn into
files; every planted fact is recorded in `world.truth` as it is made, so the ground truth cannot
drift from the data. Times are integer seconds of China wall-clock time taken as UTC.
"""
from __future__ import annotations

import random

from . import demo_ids as ids

__all__ = ["SIZES", "World", "build_world", "T0", "DAY", "MIN",
           "K_SHOP", "K_SALARY", "K_FAMILY", "K_GANG", "K_ATM", "K_SETTLE", "K_VICTIM", "K_DEPOSIT",
           "K_COUNTER", "K_INCOME"]

T0 = 1672531200          # 2023-01-01 00:00:00 as UTC seconds
DAY, MIN = 86400, 60
REPLYING = 8             # banks 0..7 answer the queries; bank 8 (中信银行) holds only platform accounts

# Per size: innocent persons, employers, merchants, payment platforms, families, gangs, victims per gang,
# public Wi-Fi hubs, transfers wanted (the shopping fills up to it).
SIZES = {
    "small": dict(persons=2500, employers=10, merchants=60, platforms=2, families=150, gangs=5, victims=24,
                  hubs=1, hub_users=300, transfers=20_000),
    "medium": dict(persons=16000, employers=60, merchants=300, platforms=3, families=1800, gangs=20, victims=40,
                   hubs=2, hub_users=900, transfers=200_000),
    "large": dict(persons=60000, employers=200, merchants=1200, platforms=4, families=6000, gangs=64, victims=60,
                  hubs=3, hub_users=2500, transfers=1_050_000),
}
HF_THRESHOLDS = {"cards": 5, "days": 30, "banks": 4}

# Transfer kinds: what a row's 摘要说明 and 交易渠道 say.
K_SHOP, K_SALARY, K_FAMILY, K_GANG, K_ATM, K_SETTLE, K_VICTIM, K_DEPOSIT, K_COUNTER, K_INCOME = range(10)
_BANK_W = [20, 18, 16, 12, 10, 2, 12, 8]   # share of personal cards per replying bank (交通银行 small: its reply is .xlsx)
_PLATFORMS = ["财付通支付科技有限公司", "支付宝（中国）网络技术有限公司", "网银在线（北京）科技有限公司", "北京快钱支付清算信息有限公司"]
_SHOPS = ["便利店", "超市", "水果店", "餐馆", "奶茶店", "五金店", "药店", "服装店", "理发店", "手机店", "面馆", "烧烤店"]


class Person:
    """A person: ID, name, sex, phone shown in records, address, note; `old` if a 15-digit ID exists."""

    __slots__ = ("pid", "name", "male", "phone", "addr", "note", "old")

    def __init__(self, pid, name, male, phone, addr, note=""):
        self.pid, self.name, self.male, self.phone, self.addr, self.note = pid, name, male, phone, addr, note
        self.old = pid[6:8] == "19" and int(pid[8:10]) < 85


class World:
    """Everything generated: entity tables, transfers, seizures, reports, watch list, device records, truth."""

    def __init__(self, size: str, seed: int):
        self.size, self.seed, self.p = size, seed, SIZES[size]
        self.rng = random.Random(f"pochuan-demo-{size}-{seed}")
        self.case = f"DEMO-{size}-{seed}"
        self.used_ids, self.used_phones, self.used_cards, self.used_dev = set(), set(), set(), set()
        self.persons: list[Person] = []
        # cards: number, bank index, owner person index (-1: company account), display owner name, opened ts,
        # reserved phone, status, initial balance in fen
        self.card_no, self.card_bank, self.card_owner, self.card_name = [], [], [], []
        self.card_opened, self.card_phone, self.card_status, self.card_bal = [], [], [], []
        self.phones = []          # (phone, owner person index, opened ts)
        self.net = [("", "")]     # (ip, mac) a transfer was made from; 0 = none (counter, ATM, POS)
        self.cashpoints = []      # names of ATMs / branches
        self.dev_rows = []        # (device key, kind, related kind 'phone'|'card'|'person', related key, first, last)
        self.tx = []              # (ts, src card, dst card, fen, kind, net or cashpoint, sides 1 out 2 in 3 both)
        self.seizures = []        # (holder person index, item type, item key, ts, place)
        self.reports = []         # (victim person index, from card, to card, fen, ts, reported ts)
        self.watch = []           # (person index, category, source)
        self.gang_people = []     # per gang: person indices of its members
        self.gang_cards = []      # per gang: ({role: [card]}, [sink card])
        self.victims_so_far = []  # victims of the gangs planted so far (some are cheated twice)
        self.cash_of = []         # per replying bank: indices of its cash points
        self.truth = {"case": self.case, "size": size, "seed": seed, "files": [], "gangs": [], "clusters": [],
                      "hubs": [], "alerts": [], "thresholds": {"high_frequency_opening": HF_THRESHOLDS},
                      "innocent": {"persons": [], "cards": []}}

    def person(self, male=None, year_from=1960, year_to=2003) -> int:
        """Add a person with a new ID, name, phone and address; return its index."""
        rng = self.rng
        male = rng.random() < 0.5 if male is None else male
        pid = ids.make_id(rng, self.used_ids, year_from, year_to, male)
        phone = ids.make_phone(rng, self.used_phones)
        self.persons.append(Person(pid, ids.make_name(rng, male), male, phone, ids.make_address(rng, pid)))
        i = len(self.persons) - 1
        self.phones.append((phone, i, T0 - rng.randint(30, 3000) * DAY))
        return i

    def card(self, owner: int, bank: int, opened: int, phone=None, name=None, bal=None) -> int:
        """Add a card of a bank registered to a person (or a company when owner is -1); return its index."""
        self.card_no.append(ids.make_card(self.rng, bank, self.used_cards))
        self.card_bank.append(bank)
        self.card_owner.append(owner)
        self.card_name.append(name if name else self.persons[owner].name)
        self.card_opened.append(opened)
        self.card_phone.append(phone if phone is not None else (self.persons[owner].phone if owner >= 0 else ""))
        self.card_status.append("正常" if self.rng.random() < 0.93 else self.rng.choice(["冻结", "销户", "止付"]))
        self.card_bal.append(bal if bal is not None else self.rng.randint(2_000_00, 80_000_00))
        return len(self.card_no) - 1

    def cashpoint(self, bank: int) -> int:
        """Return one of the ATMs or counters of a bank (index into cashpoints)."""
        return self.rng.choice(self.cash_of[bank])

    def netdev(self, ip: str, mac: str) -> int:
        """Register an (IP, MAC) pair transfers are made from; return its index."""
        self.net.append((ip, mac))
        return len(self.net) - 1

    def bank(self) -> int:
        """Pick a replying bank by its share of personal cards."""
        return self.rng.choices(range(REPLYING), weights=_BANK_W)[0]

    def daytime(self, day: int, h0=8, h1=23) -> int:
        """Return a random time of a day between hours h0 and h1."""
        return T0 + day * DAY + self.rng.randint(h0 * 3600, h1 * 3600 - 1)

    def add(self, ts, src, dst, fen, kind, net=0, sides=3):
        """Record one transfer (or cash movement when src or dst is -1)."""
        self.tx.append((ts, src, dst, fen, kind, net, sides))


def _innocents(w: World):
    """Make the innocent population: personal cards, home networks, families sharing a phone."""
    rng, p = w.rng, w.p
    w.personal = []                      # person index -> primary card
    w.home = []                          # person index -> net index
    for _ in range(p["persons"]):
        i = w.person()
        b = w.bank()
        c = w.card(i, b, T0 - rng.randint(200, 6000) * DAY)
        w.personal.append(c)
        if rng.random() < 0.3:           # a second card at another bank, years apart
            b2 = (b + rng.randint(1, REPLYING - 1)) % REPLYING
            w.card(i, b2, T0 - rng.randint(60, 6000) * DAY)
        w.home.append(w.netdev(ids.make_ip(rng, w.used_dev), ids.make_mac(rng, w.used_dev)))
    # families: members show the head's phone and bind it to their cards; one home IP for all
    w.families = []
    order = list(range(p["persons"]))
    rng.shuffle(order)
    pos = 0
    for _ in range(p["families"]):
        n = rng.randint(2, 4)
        fam = order[pos:pos + n]
        pos += n
        head = fam[0]
        phone = w.persons[head].phone
        ip = w.net[w.home[head]][0]
        for m in fam[1:]:
            w.persons[m].phone = phone
            w.card_phone[w.personal[m]] = phone
            w.home[m] = w.netdev(ip, ids.make_mac(rng, w.used_dev))
        w.families.append(fam)
    w.family_of = {m: f for f in w.families for m in f}
    w.innocent_pos = pos


def _businesses(w: World):
    """Make employers (paying salaries), merchants and payment-platform accounts."""
    rng, p = w.rng, w.p
    n = p["persons"]
    counts = [0] * n
    for o in w.card_owner:
        counts[o] += 1
    single = [i for i in range(n) if counts[i] == 1]     # owners get one more card: 3 banks at most
    rng.shuffle(single)
    w.platforms = [w.card(-1, 8, T0 - 3000 * DAY, phone="", name=_PLATFORMS[k], bal=10**12)
                   for k in range(p["platforms"])]
    w.merchants, w.shop_name = [], {}
    for k in range(p["merchants"]):
        owner = single.pop()
        shop = w.persons[owner].name[0] + "记" + rng.choice(_SHOPS)
        w.merchants.append(w.card(owner, w.bank(), T0 - rng.randint(100, 3000) * DAY))
        w.shop_name[w.merchants[-1]] = shop
    w.employers = []
    bosses = set(single[:p["employers"]])
    staff = [i for i in range(n) if i not in bosses]
    rng.shuffle(staff)
    pos = 0
    for boss in single[:p["employers"]]:
        size = min(int(rng.paretovariate(1.2) * 8), 400)
        team = staff[pos: pos + size]
        pos += size
        if pos >= len(staff) - 10:
            break
        card = w.card(boss, w.bank(), T0 - rng.randint(400, 4000) * DAY, bal=rng.randint(10**7, 10**8))
        w.employers.append((card, team, rng.choice([5, 10, 15, 20])))
    w.hubs = []
    for k in range(p["hubs"]):
        ip = ids.make_ip(rng, w.used_dev)
        w.hubs.append(ip)
        w.truth["hubs"].append({"type": "device", "key": ip, "what": "公共Wi-Fi public Wi-Fi IP"})
    for c in w.platforms:
        w.truth["hubs"].append({"type": "card", "key": w.card_no[c], "what": "支付平台 payment platform"})
    for c, team, _ in w.employers:
        if len(team) >= 30:
            w.truth["hubs"].append({"type": "card", "key": w.card_no[c], "what": "代发工资 employer"})


def _innocent_traffic(w: World):
    """Salaries, platform income, settlements, family transfers, cash: the regular life of the case."""
    rng = w.rng
    for card, team, payday in w.employers:
        pay = {m: rng.randint(30, 200) * 100_00 for m in team}     # 3,000-20,000 元 a month
        for month in range(12):
            day = _doy(month, payday)
            total = sum(pay.values())
            w.add(w.daytime(day - 2, 9, 17), w.platforms[month % len(w.platforms)], card,
                  int(total * rng.uniform(1.1, 1.4)), K_INCOME, 0, 2)
            t = T0 + day * DAY + 10 * 3600 + rng.randint(0, 600)
            for m in team:
                t += rng.randint(1, 20)
                w.add(t, card, w.personal[m], pay[m] + rng.randint(-500, 500) * 10, K_SALARY, 0, _sides(rng))
    for fam in w.families:
        head = fam[0]
        for m in fam[1:]:
            if rng.random() < 0.5:             # 生活费 every month to some members
                for month in range(12):
                    t = w.daytime(_doy(month, rng.randint(1, 28)))
                    w.add(t, w.personal[head], w.personal[m], rng.randint(5, 50) * 100_00, K_FAMILY, w.home[head],
                          _sides(rng))
        for _ in range(rng.randint(1, 6)):
            a, b = rng.sample(fam, 2)
            w.add(w.daytime(rng.randrange(365)), w.personal[a], w.personal[b], rng.randint(100_00, 3000_00),
                  K_FAMILY, w.home[a], _sides(rng))
    for k, plat in enumerate(w.platforms):     # weekly settlement of the platform's merchants
        for day in range(rng.randrange(7), 365, 7):
            for m in w.merchants[k::len(w.platforms)]:
                w.add(T0 + day * DAY + 2 * 3600 + rng.randint(0, 3600), plat, m, rng.randint(500_00, 20000_00),
                      K_SETTLE, 0, 2)
    for m in w.merchants:
        owner = w.card_owner[m]
        for week in range(0, 52, 2):
            w.add(w.daytime(week * 7 + rng.randint(0, 6), 20, 23), m, w.personal[owner],
                  rng.randint(1000_00, 30000_00), K_FAMILY, w.home[owner], _sides(rng))
            if rng.random() < 0.3:
                w.add(w.daytime(week * 7 + rng.randint(0, 6), 9, 17), -1, m, rng.randint(50, 500) * 100_00,
                      K_DEPOSIT, w.cashpoint(w.card_bank[m]), 2)


def _doy(month: int, day: int) -> int:
    """Return the day of the year 2023 (0-based) of a month (0-based) and day of month."""
    return (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)[month] + day - 1


def _sides(rng) -> int:
    """Which bank replies show an innocent transfer: both (half), or only one side."""
    r = rng.random()
    return 3 if r < 0.5 else (1 if r < 0.75 else 2)


def _cashpoints(w: World):
    """Make the ATMs and counters of every replying bank (a dozen each)."""
    rng = w.rng
    for bank in range(REPLYING):
        names = []
        for _ in range(12):
            w.cashpoints.append(f"{ids.BANKS[bank][0]}{rng.choice(list(ids.ADDRESS_OF.values()))}"
                                f"{rng.choice(['支行', '分理处'])}{rng.choice(['ATM', 'ATM', '自助银行', '营业厅'])}"
                                f"{rng.randint(1, 9):02d}")
            names.append(len(w.cashpoints) - 1)
        w.cash_of.append(names)


def _shopping(w: World, n: int):
    """Fill the case with n purchases from innocent cards to merchants and payment platforms."""
    rng = w.rng
    buyers = w.personal
    merch = w.merchants
    mw = [1.0 / (k + 1) ** 0.8 for k in range(len(merch))]
    hub_users = set(rng.sample(range(len(buyers)), min(w.p["hub_users"], len(buyers))))
    w.hub_users = sorted(hub_users)
    w.hub_net = {}
    for u in w.hub_users:
        hub = w.hubs[u % len(w.hubs)]
        w.hub_net[u] = w.netdev(hub, w.net[w.home[u]][1])
    who = rng.choices(range(len(buyers)), k=n)
    where = rng.choices(merch, weights=mw, k=n)
    plat = rng.choices(w.platforms, k=n)
    rnd = rng.random
    lv = rng.lognormvariate
    for i in range(n):
        u = who[i]
        r = rnd()
        if r < 0.45:
            dst, net = plat[i], w.home[u]
        else:
            dst, net = where[i], (w.home[u] if r < 0.7 else 0)
        if u in hub_users and rnd() < 0.4:
            net = w.hub_net[u]
        fen = max(100, int(lv(4.3, 1.0) * 100))
        ts = T0 + int(rnd() * 365) * DAY + 7 * 3600 + int(rnd() * 16 * 3600)
        w.tx.append((ts, buyers[u], dst, fen, K_SHOP, net, 1 if dst in w.platforms else _sides(rng)))
    for k in range(n // 60):
        u = rng.randrange(len(buyers))
        c = buyers[u]
        w.add(w.daytime(rng.randrange(365), 7, 23), c, -1, rng.randint(1, 30) * 100_00, K_ATM,
              w.cashpoint(w.card_bank[c]), 1)
