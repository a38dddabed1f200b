"""A small hand-made fraud case written through parameterised Cypher, following docs/data-model.md.

Used by tests/test_analytics*.py while (and besides) the demo generator's cases. Every value is a
parameter; the statement texts below are fixed strings (test-only, not part of cypher/).
"""
from __future__ import annotations

import calendar
from datetime import datetime

NODE_Q = {
    "Person": "UNWIND $rows AS r MERGE (n:Person {key: r.key}) SET n += r.props WITH n, r MERGE (c:Case {key: r.case}) MERGE (n)-[:IN_CASE]->(c)",
    "BankCard": "UNWIND $rows AS r MERGE (n:BankCard {key: r.key}) SET n += r.props WITH n, r MERGE (c:Case {key: r.case}) MERGE (n)-[:IN_CASE]->(c)",
    "Phone": "UNWIND $rows AS r MERGE (n:Phone {key: r.key}) SET n += r.props WITH n, r MERGE (c:Case {key: r.case}) MERGE (n)-[:IN_CASE]->(c)",
    "Device": "UNWIND $rows AS r MERGE (n:Device {key: r.key}) SET n += r.props WITH n, r MERGE (c:Case {key: r.case}) MERGE (n)-[:IN_CASE]->(c)",
    "Report": "UNWIND $rows AS r MERGE (n:Report {key: r.key}) SET n += r.props WITH n, r MERGE (c:Case {key: r.case}) MERGE (n)-[:IN_CASE]->(c)",
    "CashPoint": "UNWIND $rows AS r MERGE (n:CashPoint {key: r.key}) SET n += r.props WITH n, r MERGE (c:Case {key: r.case}) MERGE (n)-[:IN_CASE]->(c)",
}
REL_Q = {
    "OWNS": "UNWIND $rows AS r MATCH (a {key: r.a}), (b {key: r.b}) CREATE (a)-[x:OWNS]->(b) SET x = r.props",
    "HOLDS": "UNWIND $rows AS r MATCH (a {key: r.a}), (b {key: r.b}) CREATE (a)-[x:HOLDS]->(b) SET x = r.props",
    "USES": "UNWIND $rows AS r MATCH (a {key: r.a}), (b {key: r.b}) CREATE (a)-[x:USES]->(b) SET x = r.props",
    "RESERVED": "UNWIND $rows AS r MATCH (a {key: r.a}), (b {key: r.b}) CREATE (a)-[x:RESERVED]->(b) SET x = r.props",
    "TRANSFER": "UNWIND $rows AS r MATCH (a:BankCard {key: r.a}), (b:BankCard {key: r.b}) CREATE (a)-[x:TRANSFER]->(b) SET x = r.props",
    "CASH": "UNWIND $rows AS r MATCH (a:BankCard {key: r.a}), (b:CashPoint {key: r.b}) CREATE (a)-[x:CASH]->(b) SET x = r.props",
    "FILED": "UNWIND $rows AS r MATCH (a:Person {key: r.a}), (b:Report {key: r.b}) CREATE (a)-[x:FILED]->(b) SET x = r.props",
    "PAID_FROM": "UNWIND $rows AS r MATCH (a:Report {key: r.a}), (b:BankCard {key: r.b}) CREATE (a)-[x:PAID_FROM]->(b) SET x = r.props",
    "PAID_TO": "UNWIND $rows AS r MATCH (a:Report {key: r.a}), (b:BankCard {key: r.b}) CREATE (a)-[x:PAID_TO]->(b) SET x = r.props",
    "LISTED": "UNWIND $rows AS r MATCH (a:Person {key: r.a}), (b:Case {key: r.b}) CREATE (a)-[x:LISTED]->(b) SET x = r.props",
}


def ts(s: str) -> int:
    """Return the model's wall-clock seconds of a time text."""
    return calendar.timegm(datetime.strptime(s, "%Y-%m-%d %H:%M:%S").timetuple())


class Builder:
    """Collects nodes and relationships of one case, then writes them in a few statements."""

    def __init__(self, case: str):
        self.case = case
        self.nodes: dict[str, list] = {k: [] for k in NODE_Q}
        self.rels: dict[str, list] = {k: [] for k in REL_Q}
        self.row = 0

    def _prov(self, cases=None) -> dict:
        self.row += 1
        return {"cases": list(cases or [self.case]), "batches": ["B1"], "src": [f"B1#{self.row}"]}

    def add(self, label, key, cases=None, **props):
        """Add an entity (its provenance set like a loader would)."""
        for c in cases or [self.case]:
            self.nodes[label].append({"key": key, "case": c, "props": {**props, **self._prov(cases)}})
        return key

    def rel(self, rtype, a, b, cases=None, **props):
        """Add a relationship between two keys."""
        self.rels[rtype].append({"a": a, "b": b, "props": {**props, **self._prov(cases)}})

    def transfer(self, a, b, amount, time, cases=None):
        """Add one transfer at a time text."""
        self.rel("TRANSFER", a, b, cases, amount=float(amount), time=time, ts=ts(time), key=f"T{self.row}")

    def write(self, store):
        """Write everything through the store's graph with parameters only."""
        for label, rows in self.nodes.items():
            if rows:
                store.graph.query(NODE_Q[label], {"rows": rows})
        for rtype, rows in self.rels.items():
            for i in range(0, len(rows), 5000):
                store.graph.query(REL_Q[rtype], {"rows": rows[i:i + 5000]})
        store.graph.query("MERGE (b:ImportBatch {key: 'B1'}) SET b.case = $case, b.file = 'fixture.csv', b.kind = 'transfers'",
                          {"case": self.case})


def build_case(store, case: str = "T1") -> dict:
    """Write the hand-made case and return its truth (same shape as the demo generator's truth.json)."""
    b = Builder(case)
    P = lambda k, name, **kw: b.add("Person", k, name=name, **kw)  # noqa: E731
    C = lambda k, bank, owner, oid, opened="2024-01-01 09:00:00", **kw: b.add(  # noqa: E731
        "BankCard", k, bank=bank, owner_name=owner, owner_id=oid, opened=opened, **kw)
    boss, core, dealer, cashier = P("110101198001010011", "金主甲"), P("110101198502020022", "骨干乙"), \
        P("110101199003030033", "卡商丙"), P("110101199504040044", "取现丁")
    farmers = [P(f"11010120000505{i:03d}X"[:17] + "X", f"卡农{i}") for i in range(1, 5)]
    v1, v2 = P("220101197001010011", "受害人一"), P("220101197202020022", "受害人二")
    c1 = C("6222000000000001", "工商银行", "卡农1", farmers[0], opened="2024-03-01 09:00:00")
    c2 = C("6222000000000002", "农业银行", "卡农2", farmers[1])
    c3 = C("6222000000000003", "建设银行", "卡农3", farmers[2])
    c4 = C("6222000000000004", "中国银行", "卡农4", farmers[3])
    c5 = C("6222000000000005", "招商银行", "取现丁", cashier)
    c6 = C("6222000000000006", "交通银行", "金主甲", boss)
    extra = [C(f"62220000000001{i:02d}", bank, "卡农1", farmers[0], opened=f"2024-03-0{i} 10:00:00")
             for i, bank in ((2, "中信银行"), (3, "光大银行"), (4, "民生银行"))]
    vc1, vc2 = C("6217000000000001", "工商银行", "受害人一", v1), C("6217000000000002", "农业银行", "受害人二", v2)
    for f, c in zip(farmers, (c1, c2, c3, c4)):
        b.rel("OWNS", f, c)
    for f in extra:
        b.rel("OWNS", farmers[0], f)
    b.rel("OWNS", cashier, c5)
    b.rel("OWNS", boss, c6)
    b.rel("OWNS", v1, vc1)
    b.rel("OWNS", v2, vc2)
    for c in (c1, c2, c3):
        b.rel("HOLDS", dealer, c, item="银行卡")
    b.rel("HOLDS", cashier, c5, item="银行卡")
    imei = b.add("Device", "860000000000001", kind="IMEI")
    mac = b.add("Device", "AA:BB:CC:00:00:01", kind="MAC")
    wifi = b.add("Device", "10.0.0.1", kind="IP")
    phone = b.add("Phone", "13800000001", carrier="移动")
    for c in (c1, c2, c3, c4, c5):
        b.rel("USES", c, imei, count=3)
    b.rel("USES", core, imei)
    b.rel("USES", core, phone)
    b.rel("USES", boss, mac)
    b.rel("USES", core, mac)
    b.rel("USES", c6, mac)
    b.rel("RESERVED", c1, phone)
    # money: two victims pay the 一级卡, split into 二级, 三级, cash and the boss's sink
    for (v, vc, amt, t) in ((v1, vc1, 5000, "2024-05-01 10:00:00"), (v2, vc2, 3000, "2024-05-01 11:00:00")):
        r = b.add("Report", f"R-{v}", victim_id=v, victim_name="受害人", from_card=vc, to_card=c1, amount=float(amt),
                  time=t, ts=ts(t))
        b.rel("FILED", v, r)
        b.rel("PAID_FROM", r, vc)
        b.rel("PAID_TO", r, c1)
        b.transfer(vc, c1, amt, t)
    b.transfer(c1, c2, 2500, "2024-05-01 10:05:00")
    b.transfer(c1, c3, 2500, "2024-05-01 10:06:00")
    b.transfer(c2, c4, 2400, "2024-05-01 10:20:00")
    b.transfer(c3, c5, 2400, "2024-05-01 10:30:00")
    b.transfer(c4, c6, 2300, "2024-05-01 10:40:00")
    b.transfer(c1, c2, 3000, "2024-05-01 11:03:00")
    b.transfer(c2, c4, 2900, "2024-05-01 11:10:00")
    b.transfer(c4, c6, 2800, "2024-05-01 11:20:00")
    b.transfer(c2, c4, 999, "2024-04-01 11:10:00")  # before the money arrived: not followed
    cp = b.add("CashPoint", "ATM-朝阳路", name="朝阳路ATM")
    b.rel("CASH", c5, cp, amount=2000.0, time="2024-05-01 10:50:00", ts=ts("2024-05-01 10:50:00"), direction="out", key="K1")
    # innocent traffic: an employer paying 40 salaries (a hub), families, a public Wi-Fi IP used by all
    emp = C("6228000000009999", "工商银行", "某公司", "")
    for i in range(100):
        pk = P(f"3301011990010{i:04d}"[:17] + "X", f"职员{i}")
        ck = C(f"62280000000{i:05d}", "工商银行", f"职员{i}", pk)
        b.rel("OWNS", pk, ck)
        b.transfer(emp, ck, 8000, "2024-05-01 09:00:00")
        b.rel("USES", ck, wifi)
    b.transfer(emp, vc1, 8000, "2024-05-01 09:00:00")
    b.transfer(vc1, "6228000000000001", 1000, "2024-05-01 10:30:00")  # victim pays family after
    b.rel("USES", c1, wifi)
    b.rel("USES", c6, wifi)
    b.rel("LISTED", farmers[1], case, category="涉两卡", source="警银通")
    b.add("BankCard", c1, cases=["T1", "T2"])
    b.write(store)
    gang = ([{"type": "card", "key": c1, "role": "一级卡"}, {"type": "card", "key": c2, "role": "二级卡"},
             {"type": "card", "key": c3, "role": "二级卡"}, {"type": "card", "key": c4, "role": "三级卡"},
             {"type": "card", "key": c5, "role": "取现"}, {"type": "card", "key": c6, "role": None}]
            + [{"type": "person", "key": f, "role": "卡农"} for f in farmers]
            + [{"type": "person", "key": boss, "role": "金主"}, {"type": "person", "key": core, "role": "骨干"},
               {"type": "person", "key": dealer, "role": "卡商"}, {"type": "person", "key": cashier, "role": "取现"}])
    return {"case": case, "gangs": [{"id": "G1", "members": gang, "victims": [{"type": "person", "key": v1},
                                                                           {"type": "person", "key": v2}],
                                     "first_level_cards": [c1], "downstream": {c1: [c2, c3, c4, c5, c6]}}],
            "hubs": [{"type": "device", "key": wifi}],
            "clusters": [{"id": "D1", "devices": [{"type": "device", "key": imei}],
                          "members": [{"type": "card", "key": k} for k in (c1, c2, c3, c4, c5)]}],
            "alerts": [{"kind": "high_frequency_opening", "keys": [farmers[0]]},
                       {"kind": "watchlist", "keys": [farmers[1]]},
                       {"kind": "holder_mismatch", "keys": [dealer]},
                       {"kind": "cross_case", "keys": [c1]}],
            "extra_cards": extra, "innocent": {"persons": [], "cards": [emp]}}
