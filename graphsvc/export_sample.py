"""A synthetic gang in the shared graph shape, so exports can be tried and timed without a case loaded."""
from __future__ import annotations

import random

__all__ = ["sample_gang"]

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯健俊帆帅旭宁龙林欣然博"
_BANKS = ("工商银行", "农业银行", "建设银行", "中国银行", "交通银行", "邮储银行", "招商银行", "兴业银行")


def _name(rng: random.Random) -> str:
    """Return a plausible Chinese personal name."""
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


class _Builder:
    """Collects nodes and aggregated edges in the shared shape."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.nodes: dict[str, dict] = {}
        self.edges: list[dict] = []
        self.serial = 0

    def person(self, role, name=None):
        """Add a person with an 18-character ID."""
        self.serial += 1
        key = f"11010119{80 + self.serial % 20:02d}0101{self.serial:04d}"[:17] + "X"
        name = name or _name(self.rng)
        return self._node("person", key, name, role, {"name": name})

    def card(self, role, owner):
        """Add a bank card registered to owner (a node)."""
        self.serial += 1
        key = f"622{self.rng.randrange(10**12, 10**13)}{self.serial:03d}"[:19]
        bank = self.rng.choice(_BANKS)
        return self._node("card", key, f"{bank} {key[-4:]}", role,
                          {"bank": bank, "owner_name": owner["label"], "owner_id": owner["key"]})

    def thing(self, type_, key, label, props=None):
        """Add a phone, device, report or cashpoint."""
        return self._node(type_, key, label, None, props or {})

    def _node(self, type_, key, label, role, props):
        node = {"id": f"{type_}:{key}", "type": type_, "key": key, "label": label, "role": role,
                "layer": None, "amount": None, "props": props}
        self.nodes[node["id"]] = node
        return node

    def edge(self, a, b, type_, count=1, amount=0.0):
        """Add one aggregated edge."""
        day = self.rng.randrange(1, 28)
        self.edges.append({"id": f"{type_}:{a['id']}>{b['id']}", "from": a["id"], "to": b["id"], "type": type_,
                           "count": count, "sum": round(amount, 2), "first": f"2026-03-{day:02d} 10:{day:02d}:00",
                           "last": f"2026-03-{day:02d} 11:{day:02d}:00", "props": {}})


def sample_gang(members: int = 60, seed: int = 1, gang_id: str = "G1") -> dict:
    """Return a gang graph of about `members` members with every role, victims and devices."""
    b = _Builder(seed)
    rng = b.rng
    n = max(members, 20)
    bosses = [b.person("金主") for _ in range(max(1, n // 200))]
    core = [b.person("骨干") for _ in range(max(2, n // 100))]
    dealers = [b.person("卡商") for _ in range(max(2, n // 60))]
    cashers = [b.person("取现") for _ in range(max(2, n // 40))]
    cards_left = n - len(bosses) - len(core) - len(dealers) - len(cashers)
    n_cards = max(6, cards_left // 2)
    farmers = [b.person("卡农") for _ in range(max(3, cards_left - n_cards))]
    devices = [b.thing("device", f"86{rng.randrange(10**12, 10**13)}", f"IMEI 86…{i:02d}", {"kind": "IMEI"})
               for i in range(len(core) * 2)]
    for i, d in enumerate(devices):
        b.edge(core[i % len(core)], d, "USES", 5)
    for boss in bosses:
        b.edge(boss, devices[0], "USES", 2)
    sinks = [b.card(None, boss) for boss in bosses]
    for s, boss in zip(sinks, bosses):
        b.edge(boss, s, "OWNS")
    n1, n2 = max(2, n_cards // 6), max(2, n_cards // 3)
    n_cash = max(2, n_cards // 8)
    roles = ["一级卡"] * n1 + ["二级卡"] * n2 + ["取现"] * n_cash
    roles += ["三级卡"] * max(1, n_cards - len(roles))
    cards = {r: [] for r in ("一级卡", "二级卡", "三级卡", "取现")}
    for i, role in enumerate(roles):
        owner = farmers[i % len(farmers)]
        c = b.card(role, owner)
        cards[role].append(c)
        b.edge(owner, c, "OWNS")
        holder = cashers[i % len(cashers)] if role == "取现" else dealers[i % len(dealers)]
        b.edge(holder, c, "HOLDS")
        b.edge(c, devices[i % len(devices)], "USES", rng.randrange(1, 9))
    for i, c in enumerate(cards["一级卡"]):
        for j in range(3):
            b.edge(c, cards["二级卡"][(i * 3 + j) % n2], "TRANSFER", 2, rng.uniform(2e4, 9e4))
    for i, c in enumerate(cards["二级卡"]):
        for j in range(2):
            b.edge(c, cards["三级卡"][(i * 2 + j) % len(cards["三级卡"])], "TRANSFER", 2, rng.uniform(1e4, 5e4))
    for i, c in enumerate(cards["三级卡"]):
        b.edge(c, cards["取现"][i % n_cash] if i % 3 else sinks[i % len(sinks)], "TRANSFER", 1, rng.uniform(5e3, 3e4))
    atms = [b.thing("cashpoint", f"ATM{i:02d}", f"某银行ATM{i:02d}号", {"name": f"某银行ATM{i:02d}号"})
            for i in range(max(1, n_cash // 3))]
    for i, c in enumerate(cards["取现"]):
        b.edge(c, atms[i % len(atms)], "CASH", 3, rng.uniform(1e4, 4e4))
    victims = []
    for i in range(max(3, n1 * 2)):
        v = b.person(None)
        v["role"] = None
        victims.append(v)
        b.nodes.pop(v["id"])
        vcard = b.card(None, v)
        b.nodes.pop(vcard["id"])
        target = cards["一级卡"][i % n1]
        report = b.thing("report", f"R{i:04d}", f"报案 {v['label']}", {"victim_name": v["label"]})
        b.nodes.pop(report["id"])
        victims.append(report)
        b.edge(v, report, "FILED")
        b.edge(report, target, "PAID_TO", 1, rng.uniform(1e4, 2e5))
    nodes = list(b.nodes.values())
    member_ids = {m["id"] for m in nodes}
    flow = sum(e["sum"] for e in b.edges if e["type"] == "TRANSFER" and e["from"] in {c["id"] for c in cards["一级卡"]})
    return {"id": gang_id, "nodes": nodes, "edges": b.edges, "victims": victims, "truncated": False,
            "size": len(member_ids), "total_flow": round(flow, 2), "first": "2026-03-01 10:01:00",
            "last": "2026-03-27 11:27:00"}
