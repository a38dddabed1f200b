"""The writer: sends chunks to the store through the cypher/load_* statements, in order.

Every statement is idempotent (MERGE on keys, provenance lists kept as sets, USES counts added
once per batch (written when the batch ends), transfers looked up by pair before they are
created), so a load killed half-way and run again ends with the graph a clean load gives. An
entity already written in this batch is not sent again unless a row brings a property it lacked;
one already written in this load has its later provenance gathered (Provenance). On FalkorDB new
transfers go in through GRAPH.BULK (loaders.bulk) and a set of pair keys spares the lookups.
"""
from __future__ import annotations

import queue
import threading

from graphsvc.cypher import need
from graphsvc.errors import QueryError

from .bulk import frame_tokens, records_frame
from .chunk import SRC_KEEP, Chunk
from .transfers import A, AMOUNT, B, BALANCE, BRANCH, CHANNEL, IP, KEY, MAC, PAIR, SERIAL, SIDES, SRC, SUMMARY

__all__ = ["Writer", "Provenance", "RS", "US", "node_ids", "card_ids", "ensure_pairs"]

NODE_STMTS = {"Person": "load_person", "BankCard": "load_card", "Phone": "load_phone", "Device": "load_device",
              "Report": "load_report", "CashPoint": "load_cashpoint"}
REL_STMTS = ("load_owns_card", "load_owns_phone", "load_holds_card", "load_holds_phone", "load_holds_device",
             "load_reserved", "load_filed", "load_paid_from", "load_paid_to", "load_listed",
             "load_uses_person_phone", "load_uses_person_device", "load_uses_card_device", "load_uses_phone_device")
need(*NODE_STMTS.values(), *REL_STMTS, "load_transfer_create", "load_transfer_find", "load_transfer_merge",
     "load_transfer_any", "load_transfer_pairs", "load_card_ids", "load_cash_find", "load_cash_create", "load_cash_update",
     "load_cashpoint_ids", "load_batch_start", "load_batch_finish", "case_ensure")
RS, US = "\x1e", "\x1f"  # record and unit separators of packed parameters
_USES = {s for s in REL_STMTS if s.startswith("load_uses_")}
# Packed twins of the statements 交易明细 rows use most: rows whose properties they can carry go as one
# string (about 3x cheaper for FalkorDB than a list of maps); the others through the map statement.
_NODE_PACKED = {"BankCard": ("load_card_packed", ("owner_name", "owner_id", "bank")),
                "Person": ("load_person_packed", ("name",)), "Device": ("load_device_packed", ("kind",))}
_REL_PACKED = {"load_owns_card": "load_owns_card_packed", "load_uses_card_device": "load_uses_card_device_packed"}
need(*(s for s, _ in _NODE_PACKED.values()), *_REL_PACKED.values())
USES_SRC = 3


class Provenance:
    """Entities of the packed statements already written in this load, and what later files add to them.

    An entity (a counterparty card, its owner) recurs in many banks' replies: it is written when first
    met, and the batches, source rows and missing properties of its later mentions are gathered here
    and written once when the load ends (one update per entity instead of one per file).
    """

    def __init__(self):
        self.seen: dict = {}  # (statement, key) -> [batches, src, fills, dirty]
        self.ids: dict = {}  # card key -> internal id (GRAPH.BULK): fetched once per load, not per file

    def first(self, stmt: str, key, batch: str, src: list, fills: list) -> bool:
        """Return True for an entity not met before in this load; else gather what this mention adds."""
        e = self.seen.get((stmt, key))
        if e is None:
            self.seen[(stmt, key)] = [[batch], [], list(fills), False]
            return True
        if batch not in e[0]:
            e[0].append(batch)
            e[3] = True
        room = SRC_KEEP - len(e[1])
        if room > 0:
            e[1].extend(s for s in src[:room] if s not in e[1])
            e[3] = True
        for i, v in enumerate(fills):
            if v and not e[2][i]:
                e[2][i] = v
                e[3] = True
        return False

    def flush(self, store, case: str, batch_rows: int) -> None:
        """Write the gathered batches, sources and properties of entities met more than once."""
        rows: dict = {}
        for (stmt, key), (batches, src, fills, dirty) in self.seen.items():
            if dirty:
                keys = list(key) if isinstance(key, tuple) else [key]
                rows.setdefault(stmt, []).append([*keys, ",".join(src), ",".join(batches), *fills])
        for stmt, part in rows.items():
            for i in range(0, len(part), batch_rows):
                store.write(stmt, data=_pack(part[i:i + batch_rows]), rs=RS, us=US, case=case)
        self.seen = {}


class Writer:
    """Writes the chunks of one batch (one file in one case), optionally from a background thread."""

    def __init__(self, store, case: str, batch: str, batch_rows: int = 20000, prov: Provenance | None = None,
                 check_pairs: bool = True, locked: bool = False):
        self.store, self.case, self.batch, self.batch_rows = store, case, batch, batch_rows
        self.own_prov = prov is None  # a load of several files shares one and flushes it at the end
        self.prov = prov or Provenance()
        self.seen_nodes: dict = {}
        self.seen_rels: dict = {}
        self.created = 0
        self.merged = 0
        self.uses: dict = {}  # USES of the whole batch, written once at the end (count added once: mark)
        self._q: queue.Queue | None = None
        self._thread = None
        self._error: BaseException | None = None
        self.bulk = getattr(store, "backend", "") == "falkordb"  # GRAPH.BULK and the pair set; Cypher on Neo4j
        self.ids = self.prov.ids  # card key -> internal id, for GRAPH.BULK
        self.locked = locked  # the caller holds the store's write lock (a Stage finishing)
        if self.bulk and check_pairs:  # a Stage checks once per load
            ensure_pairs(store)

    # --- threading: reading and normalising overlap with the store's work ---
    def start(self) -> None:
        """Start the background thread that writes queued chunks in order."""
        self._q = queue.Queue(maxsize=1)  # bounded: memory stays flat, reading runs one chunk ahead
        self._thread = threading.Thread(target=self._run, name="pochuan-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        """Write chunks until the end marker; keep the first error for the caller."""
        while True:
            ch = self._q.get()
            if ch is None:
                return
            if self._error is None:
                try:
                    self.write(ch)
                except BaseException as e:  # re-raised in the caller's thread by put/close
                    self._error = e

    def put(self, ch: Chunk) -> None:
        """Queue a chunk (or write it now when no thread runs)."""
        if self._error is not None:
            raise self._error
        if self._q is None:
            self.write(ch)
        else:
            self._q.put(ch)

    def close(self) -> None:
        """Wait for every queued chunk to be written, then the batch's USES; raise the writer's error."""
        if self._q is not None:
            self._q.put(None)
            self._thread.join()
            self._q = None
        if self._error is not None:
            raise self._error
        for stmt in REL_STMTS:
            rows = [r for (s, _, _), r in self.uses.items() if s == stmt]
            if rows and stmt in _REL_PACKED:
                self._send_packed(_REL_PACKED[stmt], [[r["a"], r["b"], r["first"] or "", r["last"] or "", str(r["n"]),
                                                       r["mark"], ",".join(r["src"])] for r in rows])
            elif rows:
                self._send(stmt, rows)
        self.uses = {}
        if self.own_prov:
            self.prov.flush(self.store, self.case, self.batch_rows)

    # --- the statements ---
    def _send(self, name: str, rows: list) -> None:
        """Run a statement over rows in batches of batch_rows."""
        for i in range(0, len(rows), self.batch_rows):
            self.store.write(name, rows=rows[i:i + self.batch_rows], case=self.case, batch=self.batch)

    def _send_packed(self, name: str, rows: list) -> None:
        """Run a packed statement over rows of strings (RS between records, US between fields)."""
        extra = {"batch": self.batch} if "batch" in self.store.statement(name).params else {}
        for i in range(0, len(rows), self.batch_rows):
            part = rows[i:i + self.batch_rows]
            self.store.write(name, data=_pack(part), rs=RS, us=US, case=self.case, **extra)

    def write(self, ch: Chunk) -> None:
        """Write one chunk: entities, relationships, then transfers and cash events."""
        for label, stmt in NODE_STMTS.items():
            rows = self._fresh_nodes(label, ch.nodes.get(label, {}))
            if rows and label in _NODE_PACKED:
                packed, fields = _NODE_PACKED[label]
                now, rest = [], []
                for n in rows:
                    if n["set"] or not n["fill"].keys() <= set(fields):
                        rest.append(n)  # properties the packed statement cannot carry
                        continue
                    fills = [str(n["fill"].get(f) or "") for f in fields]
                    if self.prov.first(packed, n["key"], self.batch, n["src"], fills):
                        now.append([n["key"], ",".join(n["src"]), self.batch, *fills])
                self._send_packed(packed, now)
                rows = rest
            if rows:
                self._send(stmt, rows)
        for stmt in REL_STMTS:
            rows = self._fresh_rels(stmt, ch.rels.get(stmt, {}))
            if rows and stmt in _REL_PACKED:
                packed, now = _REL_PACKED[stmt], []
                for r in rows:
                    if not r["set"] and self.prov.first(packed, (r["a"], r["b"]), self.batch, r["src"], []):
                        now.append([r["a"], r["b"], ",".join(r["src"]), self.batch])
                self._send_packed(packed, now)
                rows = [r for r in rows if r["set"]]
            if rows:
                self._send(stmt, rows)
        if ch.transfers:
            self._transfers(ch.transfers)
        if ch.cash:
            self._cash(ch.cash)

    def _fresh_nodes(self, label: str, nodes: dict) -> list:
        """Return the entities not yet written in this batch, or bringing properties they lacked."""
        out = []
        seen = self.seen_nodes
        for key, n in nodes.items():
            sig = (label, key)
            had = seen.get(sig)
            if had is not None and not n["set"] and had.issuperset(n["fill"]):
                continue
            seen[sig] = (had or frozenset()) | n["fill"].keys()
            out.append(n)
        return out

    def _fresh_rels(self, stmt: str, rels: dict) -> list:
        """Return the relationships not yet written in this batch; USES are gathered for the end."""
        if stmt in _USES:
            for (a, b), r in rels.items():
                have = self.uses.get((stmt, a, b))
                if have is None:  # a few source rows per pair: a batch can hold 100,000s of pairs
                    self.uses[(stmt, a, b)] = dict(r, mark=self.batch, src=r["src"][:USES_SRC])
                    continue
                if r["first"] and (have["first"] is None or r["first"] < have["first"]):
                    have["first"] = r["first"]
                if r["last"] and (have["last"] is None or r["last"] > have["last"]):
                    have["last"] = r["last"]
                have["n"] += r["n"]
                if len(have["src"]) < USES_SRC:
                    have["src"] = (have["src"] + r["src"])[:USES_SRC]
            return []
        out = []
        for (a, b), r in rels.items():
            sig = (stmt, a, b)
            if sig in self.seen_rels and not r["set"]:
                continue
            self.seen_rels[sig] = True
            out.append(r)
        return out

    def _transfers(self, recs: list) -> None:
        """Create the transfers not stored yet; add side, source and case to those that are."""
        if self.bulk and not self.locked:  # what is stored is checked, then appended: one loader at a time
            with self.store.write_lock():
                return self._transfers_locked(recs)
        return self._transfers_locked(recs)

    def _transfers_locked(self, recs: list) -> None:
        """Create the transfers not stored yet (the caller holds the write lock on FalkorDB)."""
        if self.bulk:  # the pair set says which may be stored: only those are looked up
            known = self.store.pairs_known([r[PAIR] for r in recs])
            old = [r for r, k in zip(recs, known) if k]
            new = [r for r, k in zip(recs, known) if not k]
        else:
            old, new = recs, []
        new += self._merge_sides(old)
        if new and self.bulk:
            self.store.pairs_add(list({r[PAIR] for r in new}))
            card_ids(self.store, self.ids, {c for r in new for c in (r[A], r[B])})
            for token, n in frame_tokens(records_frame(new, self.batch), self.ids, self.case):
                self.store.bulk_insert(0, n, [], [token])
        elif new:
            for i in range(0, len(new), self.batch_rows):
                data = _pack([_packed(r) for r in new[i:i + self.batch_rows]])
                self.store.write("load_transfer_create", data=data, rs=RS, us=US, case=self.case, batch=self.batch)
        self.created += len(new)
        self.merged += len(recs) - len(new)

    def _merge_sides(self, old: list) -> list:
        """Add side, source and case to stored transfers; return the records no stored transfer matched."""
        found = self._find(old)
        upd, unmatched = [], []
        for r in old:
            key = _match(r, found)
            if key is None:
                unmatched.append(r)  # the pair set knew a transfer the graph lacks: a crash between the two
            else:
                upd.append([r[A], r[B], r[PAIR], key, ",".join(r[SIDES]), ",".join(r[SRC]), r[SERIAL] or "", r[IP] or "",
                            r[MAC] or "", r[SUMMARY] or "", r[CHANNEL] or "", r[BRANCH] or ""])
        self._send_packed("load_transfer_merge", upd)
        return unmatched

    def _find(self, recs: list) -> dict:
        """Return pair -> [(key, sides, src, serial)] of the stored transfers with the records' pairs."""
        found: dict = {}
        pairs = [{"a": a, "b": b, "pair": p} for a, b, p in {(r[A], r[B], r[PAIR]) for r in recs}]
        for i in range(0, len(pairs), self.batch_rows):
            for row in self.store.read("load_transfer_find", max_rows=10 * self.batch_rows + 100,
                                       rows=pairs[i:i + self.batch_rows]).rows:
                found.setdefault(row["pair"], []).append((row["key"], row["sides"] or [], row["src"] or [],
                                                          row["serial"] or ""))
        return found

    def _cash(self, recs: list) -> None:
        """Create the cash events not stored yet; add provenance to those that are."""
        if self.bulk and not self.locked:  # checked, then appended (as transfers are): one loader at a time
            with self.store.write_lock():
                return self._cash_locked(recs)
        return self._cash_locked(recs)

    def _cash_locked(self, recs: list) -> None:
        """Create the cash events not stored yet (the caller holds the write lock on FalkorDB)."""
        keys = [r["key"] for r in recs]
        have = set()
        for i in range(0, len(keys), self.batch_rows):
            have.update(row["key"] for row in self.store.read("load_cash_find", max_rows=2 * self.batch_rows,
                                                              keys=keys[i:i + self.batch_rows]).rows)
        new = [r for r in recs if r["key"] not in have]
        if new and self.bulk:  # appended: ~0.2 s per 30,000 where Cypher and its parameters cost ~1.5 s
            self._cash_bulk(new)
        else:
            self._send("load_cash_create", new)
        old = [{"key": r["key"], "src": r["src"]} for r in recs if r["key"] in have]
        if old:
            self._send("load_cash_update", old)

    def _cash_bulk(self, recs: list) -> None:
        """Append new cash events with GRAPH.BULK (their cards and cash points are stored: written first)."""
        import polars as pl

        from .bulk import list_payload, rows_tokens, str_lists

        card_ids(self.store, self.ids, {r["card"] for r in recs})
        points = stored_ids(self.store, "load_cashpoint_ids", {}, {r["point"] for r in recs}, "cash points")
        text = ["key", "time", "direction", "serial", "channel", "summary"]
        df = pl.DataFrame({**{c: pl.Series([r[c] for r in recs], dtype=pl.String) for c in text},
                           "ts": pl.Series([r["ts"] for r in recs], dtype=pl.Int64),
                           "amount": pl.Series([r["amount"] for r in recs], dtype=pl.Float64),
                           "src": str_lists([r["src"] for r in recs]),
                           "_a": pl.Series([self.ids[r["card"]] for r in recs], dtype=pl.UInt64),
                           "_b": pl.Series([points[r["point"]] for r in recs], dtype=pl.UInt64)}).with_columns(
            pl.lit(list_payload([self.case])).alias("cases"), pl.lit(list_payload([self.batch])).alias("batches"))
        strs = [("src", "src", "strs"), ("cases", "cases", "raw"), ("batches", "batches", "raw")]
        for token, n in rows_tokens(df, "CASH", [(c, c, "str") for c in text] + strs,
                                    [("ts", "ts", "long"), ("amount", "amount", "double")], ends=("_a", "_b")):
            self.store.bulk_insert(0, n, [], [token])


def node_ids(store, stmt: str, keys: list, per: int = 50_000) -> dict:
    """Return key -> internal id of the stored nodes with these keys (stmt: load_card_ids, load_person_ids...)."""
    out = {}
    for i in range(0, len(keys), per):
        part = keys[i:i + per]
        ids = store.read(stmt, max_rows=1, keys=part).one()["ids"]  # in the order of part, -1 when not stored
        out.update((k, n) for k, n in zip(part, ids) if n >= 0)
    return out


def card_ids(store, ids: dict, keys) -> None:
    """Add to ids the internal ids of the cards it lacks (GRAPH.BULK names end nodes by id); they must be stored."""
    stored_ids(store, "load_card_ids", ids, keys, "cards")


def stored_ids(store, stmt: str, ids: dict, keys, what: str) -> dict:
    """Add to ids (and return it) the internal ids of the keys it lacks, read with stmt; every key must be stored
    (the relationships about to be appended name them by id)."""
    missing = [k for k in keys if k not in ids]
    ids.update(node_ids(store, stmt, missing))
    lost = [k for k in missing if k not in ids]
    if lost:
        raise QueryError(f"{what} {lost[:3]} were not stored before the relationships naming them",
                         "report this with the file")
    return ids


def ensure_pairs(store) -> None:
    """Fill the pair index from the graph when it is incomplete (a store loaded before it existed, or lost)."""
    if store.pairs_ready():
        return
    store.pairs_clear()  # what a lost marker left behind
    skip, page = 0, 100_000
    while True:
        rows = store.read("load_transfer_pairs", max_rows=page, skip=skip, limit=page).rows
        store.pairs_add([r["pair"] for r in rows if r["pair"]])
        if len(rows) < page:
            return
        skip += page


def _packed(r: list) -> list:
    """Return a transfer record as strings in the field order of load_transfer_create."""
    out = [str(v) if not isinstance(v, str) else v for v in r]
    out[SIDES] = ",".join(r[SIDES])
    out[SRC] = ",".join(r[SRC])
    out[AMOUNT] = str(round(r[AMOUNT] * 100))
    out[BALANCE] = "" if r[BALANCE] is None else str(round(r[BALANCE] * 100))
    return out


def _match(r: list, found: dict):
    """Return the key of the stored transfer a record is the other side (or a reload) of, or None.

    A reload is recognised by its key, its serial or its source row: when both banks give their own
    交易流水号, the stored transfer keeps the first side's as key, and the second side's row is known
    by its source (the same file in the same case is the same batch).
    """
    cands = found.get(r[PAIR], ())
    for key, sides, src, serial in cands:
        if key == r[KEY] or (r[SERIAL] and r[SERIAL] == serial) or any(s in src for s in r[SRC]):
            return key
    for key, sides, _, _ in cands:
        if not set(r[SIDES]) <= set(sides):
            return key
    return None


def _pack(rows: list) -> str:
    """Return rows of strings as one string; separators inside a value become spaces."""
    data = RS.join(US.join(r) for r in rows)
    if data.count(RS) != len(rows) - 1 or data.count(US) != sum(len(r) - 1 for r in rows):
        data = RS.join(US.join(v.replace(RS, " ").replace(US, " ") for v in r) for r in rows)
    return data
