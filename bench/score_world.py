"""Write a demo World (loaders.demo.build_world) straight into a graph, following docs/data-model.md.

For analytics quality runs and benchmarks only: it skips the files and the loaders (helper L's
loaders.load_files is the product path, and bench/score_demo.py uses it when present). Test-only
Cypher, values as parameters. The second case (串并案) is not written, so cross_case alerts need the
real loader.
"""
from __future__ import annotations

import datetime as dt
import hashlib

NODE_Q = {
    "Person": "UNWIND $rows AS r CREATE (n:Person) SET n = r",
    "BankCard": "UNWIND $rows AS r CREATE (n:BankCard) SET n = r",
    "Phone": "UNWIND $rows AS r CREATE (n:Phone) SET n = r",
    "Device": "UNWIND $rows AS r CREATE (n:Device) SET n = r",
    "Report": "UNWIND $rows AS r CREATE (n:Report) SET n = r",
    "CashPoint": "UNWIND $rows AS r CREATE (n:CashPoint) SET n = r",
}
IN_CASE_Q = {
    "Person": "MATCH (c:Case {key: $case}) MATCH (n:Person) CREATE (n)-[:IN_CASE]->(c)",
    "BankCard": "MATCH (c:Case {key: $case}) MATCH (n:BankCard) CREATE (n)-[:IN_CASE]->(c)",
    "Phone": "MATCH (c:Case {key: $case}) MATCH (n:Phone) CREATE (n)-[:IN_CASE]->(c)",
    "Device": "MATCH (c:Case {key: $case}) MATCH (n:Device) CREATE (n)-[:IN_CASE]->(c)",
    "Report": "MATCH (c:Case {key: $case}) MATCH (n:Report) CREATE (n)-[:IN_CASE]->(c)",
    "CashPoint": "MATCH (c:Case {key: $case}) MATCH (n:CashPoint) CREATE (n)-[:IN_CASE]->(c)",
}
REL_Q = {
    ("Person", "OWNS", "BankCard"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:BankCard {key: r.b}) CREATE (a)-[x:OWNS]->(b) SET x = r.p",
    ("Person", "OWNS", "Phone"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:Phone {key: r.b}) CREATE (a)-[x:OWNS]->(b) SET x = r.p",
    ("BankCard", "RESERVED", "Phone"): "UNWIND $rows AS r MATCH (a:BankCard {key: r.a}) MATCH (b:Phone {key: r.b}) CREATE (a)-[x:RESERVED]->(b) SET x = r.p",
    ("Person", "USES", "Device"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:Device {key: r.b}) CREATE (a)-[x:USES]->(b) SET x = r.p",
    ("BankCard", "USES", "Device"): "UNWIND $rows AS r MATCH (a:BankCard {key: r.a}) MATCH (b:Device {key: r.b}) CREATE (a)-[x:USES]->(b) SET x = r.p",
    ("Phone", "USES", "Device"): "UNWIND $rows AS r MATCH (a:Phone {key: r.a}) MATCH (b:Device {key: r.b}) CREATE (a)-[x:USES]->(b) SET x = r.p",
    ("Person", "HOLDS", "BankCard"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:BankCard {key: r.b}) CREATE (a)-[x:HOLDS]->(b) SET x = r.p",
    ("Person", "HOLDS", "Phone"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:Phone {key: r.b}) CREATE (a)-[x:HOLDS]->(b) SET x = r.p",
    ("Person", "HOLDS", "Device"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:Device {key: r.b}) CREATE (a)-[x:HOLDS]->(b) SET x = r.p",
    ("Person", "FILED", "Report"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:Report {key: r.b}) CREATE (a)-[x:FILED]->(b) SET x = r.p",
    ("Report", "PAID_FROM", "BankCard"): "UNWIND $rows AS r MATCH (a:Report {key: r.a}) MATCH (b:BankCard {key: r.b}) CREATE (a)-[x:PAID_FROM]->(b) SET x = r.p",
    ("Report", "PAID_TO", "BankCard"): "UNWIND $rows AS r MATCH (a:Report {key: r.a}) MATCH (b:BankCard {key: r.b}) CREATE (a)-[x:PAID_TO]->(b) SET x = r.p",
    ("Person", "LISTED", "Case"): "UNWIND $rows AS r MATCH (a:Person {key: r.a}) MATCH (b:Case {key: r.b}) CREATE (a)-[x:LISTED]->(b) SET x = r.p",
    ("BankCard", "TRANSFER", "BankCard"): "UNWIND $rows AS r MATCH (a:BankCard {key: r.a}) MATCH (b:BankCard {key: r.b}) CREATE (a)-[x:TRANSFER]->(b) SET x = r.p",
    ("BankCard", "CASH", "CashPoint"): "UNWIND $rows AS r MATCH (a:BankCard {key: r.a}) MATCH (b:CashPoint {key: r.b}) CREATE (a)-[x:CASH]->(b) SET x = r.p",
}


def fmt(ts: int) -> str:
    """Format wall-clock seconds as YYYY-MM-DD HH:MM:SS."""
    return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(ts))).strftime("%Y-%m-%d %H:%M:%S")


def write_world(store, w, batch: int = 20000) -> dict:
    """Write the world's entities and facts as case w.case; return counts."""
    from loaders import demo_ids as ids

    case = w.case
    # no empty lists: FalkorDB 4.16 crashed (SIGSEGV in Map_Clone) cloning `src: []` inside a list of maps
    prov = {"cases": [case], "batches": ["world"], "src": ["world#0"]}
    g = store.graph
    g.query("MERGE (c:Case {key: $case}) SET c.title = $case", {"case": case})
    nodes = {k: {} for k in NODE_Q}
    rels = {k: [] for k in REL_Q}

    def N(label, key, **props):
        if key not in nodes[label]:
            nodes[label][key] = {"key": key, **props, **prov}

    def R(a_label, rel, b_label, a, b, **props):
        rels[(a_label, rel, b_label)].append({"a": a, "b": b, "p": {**props, "cases": [case]}})

    for p in w.persons:
        N("Person", p.pid, name=p.name, gender="男" if p.male else "女", address=p.addr)
    for c, no in enumerate(w.card_no):
        owner = w.card_owner[c]
        pid = w.persons[owner].pid if owner >= 0 else ""
        N("BankCard", no, bank=ids.BANKS[w.card_bank[c]][0], owner_name=w.card_name[c], owner_id=pid,
          opened=fmt(w.card_opened[c]), status=w.card_status[c], reserved_phone=w.card_phone[c])
        if owner >= 0:
            R("Person", "OWNS", "BankCard", pid, no)
    for phone, owner, opened in w.phones:
        N("Phone", phone, opened=fmt(opened), owner_id=w.persons[owner].pid)
        R("Person", "OWNS", "Phone", w.persons[owner].pid, phone)
    for c, no in enumerate(w.card_no):
        if w.card_phone[c]:
            N("Phone", w.card_phone[c])
            R("BankCard", "RESERVED", "Phone", no, w.card_phone[c])
    rel_label = {"phone": "Phone", "card": "BankCard", "person": "Person"}
    for key, kind, rk, rkey, first, last in w.dev_rows:
        N("Device", key, kind=kind)
        if rk == "phone":
            N("Phone", rkey)
        R(rel_label[rk], "USES", "Device", rkey, key, first=fmt(first), last=fmt(last))
    for holder, item, key, ts, place in w.seizures:
        pid = w.persons[holder].pid
        target = {"银行卡": "BankCard", "手机卡": "Phone"}.get(item, "Device")
        if target == "Device":
            N("Device", key, kind="UKEY")
        elif target == "Phone":
            N("Phone", key)
        R("Person", "HOLDS", target, pid, key, time=fmt(ts), place=place, item=item)
    for v, fc, tc, fen, ts, rep in w.reports:
        vid = w.persons[v].pid
        key = hashlib.sha1(f"{vid}|{w.card_no[fc]}|{w.card_no[tc]}|{fen}|{ts}".encode()).hexdigest()[:16]
        N("Report", key, victim_id=vid, victim_name=w.persons[v].name, from_card=w.card_no[fc], to_card=w.card_no[tc],
          amount=fen / 100, ts=ts, time=fmt(ts), reported=fmt(rep))
        R("Person", "FILED", "Report", vid, key)
        R("Report", "PAID_FROM", "BankCard", key, w.card_no[fc])
        R("Report", "PAID_TO", "BankCard", key, w.card_no[tc])
    for i, cat, src in w.watch:
        R("Person", "LISTED", "Case", w.persons[i].pid, case, category=cat, source=src)
    n_tx = 0
    for k, (ts, src, dst, fen, kind, net, sides) in enumerate(w.tx):
        if src >= 0 and dst >= 0:
            ip, mac = w.net[net] if net < len(w.net) else ("", "")
            R("BankCard", "TRANSFER", "BankCard", w.card_no[src], w.card_no[dst], key=f"W{k}", ts=ts, time=fmt(ts),
              amount=fen / 100, ip=ip, mac=mac)
            n_tx += 1
        else:
            card = src if src >= 0 else dst
            name = w.cashpoints[net]
            N("CashPoint", name, name=name)
            R("BankCard", "CASH", "CashPoint", w.card_no[card], name, key=f"W{k}", ts=ts, time=fmt(ts), amount=fen / 100,
              direction="out" if src >= 0 else "in")
    for label, rows in nodes.items():
        vals = list(rows.values())
        for i in range(0, len(vals), batch):
            g.query(NODE_Q[label], {"rows": vals[i:i + batch]})
    store.ensure_schema()
    for label in NODE_Q:
        g.query(IN_CASE_Q[label], {"case": case})
    for k, rows in rels.items():
        for i in range(0, len(rows), batch):
            g.query(REL_Q[k], {"rows": rows[i:i + batch]})
    return {"case": case, "transfers": n_tx, "nodes": sum(len(v) for v in nodes.values())}
