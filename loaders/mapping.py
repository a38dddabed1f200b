"""Declarative mappings: which column of a file is which field of a kind, and how it is normalised.

The built-in kinds live in loaders/mappings/<kind>.yaml (Chinese headers, aliases, English names).
A user mapping file (`--mapping FILE`, like i2's import specifications) names the columns of any
other layout:

    kind: transfers                 # what the rows become
    columns:                        # field: source column, or a spec
      card: orig_acct
      counter_card: bene_acct
      amount: base_amt
      time: tran_timestamp
      serial: {column: tran_id, prefix: "AMLSIM-"}
      direction: {value: 出}        # a constant
      owner_name: {template: "{first_name} {last_name}"}
      device_kind: {column: mediumType, values: {PHONE: IMEI, IPv4: IP}}
    normalize: {card: account}      # override a field's normaliser
    keep: [tx_type]                 # extra columns kept as properties (default: every unmapped one)
    delimiter: "|"                  # optional; sniffed otherwise

A file may hold several such layouts under `layouts:`, each chosen by `file:` (a glob on the
file name) or else by its columns being present.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from graphsvc.errors import BadInput

from . import normalize as nz

__all__ = ["KINDS", "Layout", "kind_spec", "detect", "builtin_layout", "load_mapping", "layout_from_mapping"]

HERE = Path(__file__).resolve().parent / "mappings"
KINDS = ("persons", "cards", "phones", "devices", "transfers", "seizures", "victims", "watchlist")
KIND_ALIASES = {"人员": "persons", "开户信息": "cards", "手机卡": "phones", "设备记录": "devices", "交易明细": "transfers",
                "扣押清单": "seizures", "报案信息": "victims", "重点人员": "watchlist", "accounts": "cards",
                "transactions": "transfers", "person": "persons", "card": "cards", "phone": "phones",
                "device": "devices", "transfer": "transfers", "seizure": "seizures", "victim": "victims"}
NORMALIZERS = {"text": nz.text, "card": nz.card, "account": nz.account, "phone": nz.phone, "person_id": nz.person_id,
               "amount": nz.amount, "signed_amount": nz.signed_amount, "time": nz.time, "ip": nz.ip, "mac": nz.mac,
               "imei": nz.imei, "direction": nz.direction, "cash_flag": nz.cash_flag, "gender": nz.gender,
               "raw": nz.raw}


def _canon(h: str) -> str:
    """Return a header compared loosely: no spaces, lower case, no full-width brackets."""
    return "".join(str(h).split()).lower().replace("（", "(").replace("）", ")")


@lru_cache(maxsize=None)
def kind_spec(kind: str) -> dict:
    """Return the built-in spec of a kind (fields with headers and normalisers, required fields)."""
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise BadInput(f"未知类型 unknown kind {kind!r}", f"use one of {', '.join(KINDS)}", field="kind")
    spec = yaml.safe_load((HERE / f"{kind}.yaml").read_text(encoding="utf-8"))
    spec["required"] = [r.split("|") for r in spec.get("required", [])]
    return spec


@dataclass
class Getter:
    """How one field's raw value is taken from a row: a column, a constant or a template."""

    index: int | None = None
    value: object = None
    template: str | None = None
    columns: dict = field(default_factory=dict)  # template: column name -> index
    prefix: str = ""
    values: dict | None = None

    def get(self, cells: list):
        """Return the raw value of this field in a row."""
        if self.index is not None:
            v = cells[self.index] if self.index < len(cells) else None
        elif self.template is not None:
            v = self.template.format(**{k: nz.text(cells[i]) if i < len(cells) else "" for k, i in self.columns.items()})
            v = v.strip()
        else:
            v = self.value
        if self.values is not None and v is not None:
            v = self.values.get(nz.text(v), v)
        if self.prefix and v not in (None, ""):
            v = self.prefix + nz.text(v)
        return v


@dataclass
class Layout:
    """A resolved layout: the kind, a getter and a normaliser per field, and the kept extra columns."""

    kind: str
    getters: dict[str, Getter]
    normalizers: dict
    extras: list[tuple[str, int]]
    header: list[str]
    name: str = ""

    def has(self, *fields: str) -> bool:
        """Return True if any of these fields is mapped."""
        return any(f in self.getters for f in fields)


def _missing(spec: dict, have: set[str]) -> list[str]:
    """Return the required fields (or alternatives) a set of mapped fields lacks."""
    return ["|".join(alts) for alts in spec["required"] if not any(a in have for a in alts)]


def _match_headers(spec: dict, header: list[str]) -> dict[str, int]:
    """Map the kind's fields to header positions through their Chinese and English aliases."""
    pos = {}
    for i, h in enumerate(header):
        pos.setdefault(_canon(h), i)
    out, used = {}, set()
    for name, f in spec["fields"].items():
        for alias in [name, *f.get("headers", [])]:
            i = pos.get(_canon(alias))
            if i is not None and i not in used:
                out[name] = i
                used.add(i)
                break
    return out


def detect(header: list[str]) -> tuple[str | None, dict]:
    """Return the kind whose headers best match (required fields present, most columns), and scores."""
    scores = {}
    for kind in KINDS:
        spec = kind_spec(kind)
        got = _match_headers(spec, header)
        if not _missing(spec, set(got)):
            scores[kind] = len(got) + 2 * len([f for f in got if f in {a for r in spec["required"] for a in r}])
    best = max(scores, key=scores.get) if scores else None
    return best, scores


def builtin_layout(kind: str | None, header: list[str], fname: str) -> Layout:
    """Resolve a file's header against a built-in kind (detected when not given)."""
    if kind is None:
        kind, _ = detect(header)
        if kind is None:
            raise BadInput(f"{fname}: 无法从表头判断数据类型 cannot tell the kind from the header "
                           f"({', '.join(header[:8])}...)",
                           "pass --kind (persons, cards, phones, devices, transfers, seizures, victims, watchlist) "
                           "or a --mapping file", field="kind")
    spec = kind_spec(kind)
    kind = spec["kind"]
    got = _match_headers(spec, header)
    miss = _missing(spec, set(got))
    if miss:
        other, _ = detect(header)
        hint = f"this looks like {other}" if other and other != kind else "rename the column or use a --mapping file"
        names = [" / ".join(spec["fields"][a]["headers"][0] + f" ({a})" for a in m.split("|")) for m in miss]
        raise BadInput(f"{fname}: 缺少必需列 missing required column {'; '.join(names)} for kind {kind}", hint,
                       field="kind")
    getters = {f: Getter(index=i) for f, i in got.items()}
    norms = {f: NORMALIZERS[spec["fields"][f]["normalize"]] for f in spec["fields"]}
    used = set(got.values())
    extras = [(h, i) for i, h in enumerate(header) if i not in used and h]
    return Layout(kind, getters, norms, extras, header, kind)


def load_mapping(path: str | Path) -> dict:
    """Read a mapping file and check its shape; a bad mapping fails at once, naming the problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise BadInput(f"映射文件无法读取 cannot read mapping {path}: {e.strerror}", "check the path") from None
    except yaml.YAMLError as e:
        raise BadInput(f"映射文件格式错误 mapping {path} is not valid YAML: {e}", "fix the YAML") from None
    if not isinstance(data, dict):
        raise BadInput(f"映射文件格式错误 mapping {path} must be a YAML mapping", "see loaders/mapping.py")
    layouts = data.get("layouts") or [data]
    for lay in layouts:
        if "kind" not in lay and "kind" not in data:
            raise BadInput(f"mapping {path}: a layout lacks `kind`", f"use one of {', '.join(KINDS)}")
        if not isinstance(lay.get("columns"), dict):
            raise BadInput(f"mapping {path}: a layout lacks `columns` (field: source column)", "see loaders/mapping.py")
        kind_spec(lay.get("kind") or data["kind"])
    data["_path"] = str(path)
    data["_layouts"] = layouts
    return data


def _pick(mapping: dict, header: list[str], fname: str) -> dict:
    """Choose the layout of a mapping file that applies to this file."""
    layouts = mapping["_layouts"]
    if len(layouts) == 1 and not layouts[0].get("file"):
        return layouts[0]  # one layout: its missing columns are reported by name
    for lay in layouts:
        if lay.get("file") and fnmatch.fnmatch(fname, lay["file"]):
            return lay
    present = {_canon(h) for h in header}
    for lay in layouts:
        if lay.get("file"):
            continue
        cols = [c if isinstance(c, str) else c.get("column") for c in lay["columns"].values()]
        if all(_canon(c) in present for c in cols if c):
            return lay
    raise BadInput(f"{fname}: 映射文件中没有适用的布局 no layout of mapping {mapping['_path']} fits this file",
                   "add a layout with `file:` naming it, or check the column names")


def layout_from_mapping(mapping: dict, header: list[str], fname: str) -> Layout:
    """Resolve a file's header against a user mapping file."""
    lay = _pick(mapping, header, fname)
    spec = kind_spec(lay.get("kind") or mapping["kind"])
    pos = {}
    for i, h in enumerate(header):
        pos.setdefault(_canon(h), i)

    def col(name):
        i = pos.get(_canon(name))
        if i is None:
            raise BadInput(f"{fname}: 缺少映射中的列 missing column {name!r} named by mapping {mapping['_path']}",
                           f"the file has: {', '.join(header[:12])}")
        return i

    getters, used = {}, set()
    for fld, src in lay["columns"].items():
        if fld not in spec["fields"]:
            raise BadInput(f"mapping {mapping['_path']}: unknown field {fld!r} for kind {spec['kind']}",
                           f"fields: {', '.join(spec['fields'])}")
        if isinstance(src, str):
            getters[fld] = Getter(index=col(src))
            used.add(getters[fld].index)
        elif isinstance(src, dict):
            g = Getter(prefix=str(src.get("prefix", "")), values={str(k): v for k, v in src["values"].items()}
                       if isinstance(src.get("values"), dict) else None)
            if "column" in src:
                g.index = col(src["column"])
                used.add(g.index)
            elif "template" in src:
                g.template = str(src["template"])
                import string

                names = [n for _, n, _, _ in string.Formatter().parse(g.template) if n]
                g.columns = {n: col(n) for n in names}
                used.update(g.columns.values())
            elif "value" in src:
                g.value = src["value"]
            else:
                raise BadInput(f"mapping {mapping['_path']}: field {fld} needs column, template or value", "")
            getters[fld] = g
        else:
            g = Getter(value=src)
            getters[fld] = g
    miss = _missing(spec, set(getters))
    if miss:
        raise BadInput(f"mapping {mapping['_path']}: 缺少必需字段 missing required field {', '.join(miss)} "
                       f"for kind {spec['kind']}", "map a column to it")
    norms = {f: NORMALIZERS[spec["fields"][f]["normalize"]] for f in spec["fields"]}
    for fld, name in {**mapping.get("normalize", {}), **lay.get("normalize", {})}.items():
        if name not in NORMALIZERS:
            raise BadInput(f"mapping {mapping['_path']}: unknown normaliser {name!r}", f"one of {', '.join(NORMALIZERS)}")
        norms[fld] = NORMALIZERS[name]
    keep = lay.get("keep", mapping.get("keep"))
    if keep is None:
        extras = [(h, i) for i, h in enumerate(header) if i not in used and h]
    else:
        extras = [(h, col(h)) for h in keep]
    return Layout(spec["kind"], getters, norms, extras, header, lay.get("name") or mapping.get("name") or spec["kind"])
