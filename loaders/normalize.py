"""Normalisation of the values investigators receive: cards, phones, IDs, amounts, times, devices.

Every function takes the raw cell (str, int, float, datetime or None) and returns the normal form,
or raises BadValue with a reason in Chinese and English. Search uses the same functions, so a
number typed with spaces finds the node loaded from a file that wrote it with dashes.
Fast paths first: loading a million rows calls these ten million times.
"""
from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime, timedelta

__all__ = ["BadValue", "text", "raw", "card", "account", "phone", "person_id", "id_valid", "upgrade_id15", "amount",
           "signed_amount", "time", "ip", "mac", "imei", "device", "device_kind", "direction", "cash_flag",
           "gender", "lookup_keys", "ID_WEIGHTS"]


class BadValue(ValueError):
    """A cell that cannot be normalised; the message is the reject reason (Chinese, then English)."""


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_SEPARATORS = str.maketrans("", "", " -_\t\u3000")
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def text(v) -> str:
    """Return a cell as trimmed text ('' for empty); integers from Excel without '.0'."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v).strip()


def raw(v) -> str:
    """Return a key of another institution's layout as given (trimmed): no validation, no check digit."""
    return text(v)


_EXACT = float(2 ** 53)  # a float at or above this has lost digits: Excel keeps 15 significant digits


def _exact(v, what: str) -> None:
    """Refuse a number that passed through a float too large to hold it (a card typed as a number in Excel)."""
    if isinstance(v, float) and abs(v) >= _EXACT:
        raise BadValue(f"{what}以数字保存已丢失位数 {'card number' if what == '卡号' else 'ID number'} stored as an "
                       f"Excel number lost digits ({v:.0f}): format the column as text")


def card(v) -> str:
    """Return a card or account number as digits only (spaces and dashes removed)."""
    _exact(v, "卡号")
    s = v if isinstance(v, str) and v.isdigit() else text(v).translate(_SEPARATORS)
    if not s:
        raise BadValue("缺少卡号 missing card number")
    if not s.isdigit() or not s.isascii():
        raise BadValue(f"卡号含非数字字符 card number is not digits: {s[:30]}")
    return s


def account(v) -> str:
    """Return an account identifier of another institution's layout: text without spaces."""
    s = text(v).translate(_SEPARATORS)
    if not s:
        raise BadValue("缺少账号 missing account")
    return s


def phone(v) -> str:
    """Return 11 mainland digits from +86 / 0086 / 86 prefixed, spaced or dashed numbers."""
    s = v if isinstance(v, str) and len(v) == 11 and v.isdigit() else text(v).translate(_SEPARATORS)
    if len(s) == 11 and s.isdigit() and s[0] == "1":
        return s
    s = s.replace("(", "").replace(")", "")
    for prefix in ("+86", "0086", "86"):
        if s.startswith(prefix) and len(s) == 11 + len(prefix):
            s = s[len(prefix):]
            break
    if not s:
        raise BadValue("缺少手机号 missing phone number")
    if len(s) != 11 or not s.isdigit() or s[0] != "1":
        raise BadValue(f"手机号位数不对 bad phone number: {s[:20]}")
    return s


def _check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def upgrade_id15(s: str) -> str:
    """Return the 18-character form of an old 15-digit ID (century 19, check digit computed)."""
    first17 = s[:6] + "19" + s[6:]
    return first17 + _check_digit(first17)


def id_valid(s: str) -> bool:
    """Return True when s is 18 characters with a correct check digit and a real birth date."""
    if not _ID_RE.match(s) or _check_digit(s[:17]) != s[17]:
        return False
    try:
        date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return True


def person_id(v) -> str:
    """Return an 18-character mainland ID (15-digit ones upgraded), its check digit verified."""
    _exact(v, "证件号码")
    s = text(v).translate(_SEPARATORS).upper()
    if not s:
        raise BadValue("缺少证件号码 missing ID number")
    if len(s) == 15 and s.isdigit():
        s = upgrade_id15(s)
    if len(s) != 18:
        raise BadValue(f"证件号码位数不对 ID number is not 18 characters: {s[:24]}")
    if not id_valid(s):
        raise BadValue(f"身份证校验位错误 bad ID check digit: {s}")
    return s


_AMOUNT_JUNK = str.maketrans("", "", "¥￥,，元 \u3000$")


def signed_amount(v) -> float:
    """Return an amount in yuan with its sign, from 1,234.50 / ¥1,234.50 / 1234.5元 / -30.00."""
    if v.__class__ is str:  # the common case: float() ignores surrounding whitespace as text() would
        try:
            x = float(v)
        except ValueError:
            x = None
        if x is not None and x == x and x not in (float("inf"), float("-inf")):
            return x
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        x = float(v)
    else:
        s = text(v)
        try:
            x = float(s)
        except ValueError:
            t = s.translate(_AMOUNT_JUNK).upper().replace("RMB", "").replace("CNY", "")
            if t.startswith("(") and t.endswith(")"):
                t = "-" + t[1:-1]
            if not t:
                raise BadValue("缺少金额 missing amount") from None
            try:
                x = float(t)
            except ValueError:
                raise BadValue(f"交易金额不是数字 non-numeric amount: {s[:20]}") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise BadValue(f"交易金额不是数字 non-numeric amount: {v}")
    return x


def amount(v) -> float:
    """Return a positive amount in yuan, rounded to the fen."""
    return round(abs(signed_amount(v)), 2)


_EPOCH = date(1970, 1, 1)
_DAYS: dict[tuple, int | None] = {}
_TIME_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[ T]+(\d{1,2})\s*[:时](\d{1,2})(?:\s*[:分](\d{1,2})(?:\.\d+)?\s*秒?)?)?"
                      r"\s*(?:Z|[+-]\d\d:?\d\d)?$")
_EXCEL_ZERO = datetime(1899, 12, 30)


def _day(y: int, m: int, d: int) -> int:
    """Return days since 1970-01-01 of a date, cached; raise BadValue for impossible dates."""
    key = (y, m, d)
    n = _DAYS.get(key, -1)
    if n == -1:
        try:
            n = (date(y, m, d) - _EPOCH).days if 1900 <= y <= 2100 else None
        except ValueError:
            n = None
        if len(_DAYS) < 200_000:
            _DAYS[key] = n
    if n is None:
        raise BadValue("交易时间无法解析 unparsable time: no such date")
    return n


def _hms(h: int, mi: int, s: int) -> int:
    """Return seconds of the day, refusing 25:61 and the like."""
    if h > 23 or mi > 59 or s > 59:
        raise BadValue("交易时间无法解析 unparsable time: no such hour")
    return h * 3600 + mi * 60 + s


def time(v) -> tuple[str, int]:
    """Return ('YYYY-MM-DD HH:MM:SS', epoch seconds of that wall-clock time) from the usual forms."""
    if isinstance(v, str) and len(v) == 19 and v[4] == "-" and v[13] == ":" and v[10] == " ":
        try:  # the common case, no regex
            ts = _day(int(v[:4]), int(v[5:7]), int(v[8:10])) * 86400 + _hms(int(v[11:13]), int(v[14:16]), int(v[17:]))
            return v, ts
        except ValueError:
            pass
    if isinstance(v, datetime):
        return _stamp(v.year, v.month, v.day, v.hour, v.minute, v.second)
    if isinstance(v, date):
        return _stamp(v.year, v.month, v.day, 0, 0, 0)
    s = text(v)
    if not s:
        raise BadValue("缺少时间 missing time")
    if s.isdigit() and len(s) in (8, 12, 14):
        parts = (s[:4], s[4:6], s[6:8], s[8:10] or "0", s[10:12] or "0", s[12:14] or "0")
        y, mo, d, h, mi, se = map(int, parts)
    else:
        m = _TIME_RE.match(s)
        if m is None:
            return _excel(s)
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        h, mi, se = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    return _stamp(y, mo, d, h, mi, se)


def _stamp(y: int, mo: int, d: int, h: int, mi: int, se: int) -> tuple[str, int]:
    """Return the one form and the epoch seconds of checked date and time parts."""
    ts = _day(y, mo, d) * 86400 + _hms(h, mi, se)
    return f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{se:02d}", ts


def _excel(s: str) -> tuple[str, int]:
    """Return the time of an Excel serial day number (1900 system) such as 44928.5."""
    try:
        x = float(s)
    except ValueError:
        raise BadValue(f"交易时间无法解析 unparsable time: {s[:30]}") from None
    if not 1 <= x < 80000:
        raise BadValue(f"交易时间无法解析 unparsable time: {s[:30]}")
    dt = _EXCEL_ZERO + timedelta(days=x)
    dt = dt.replace(microsecond=0) + timedelta(seconds=round(dt.microsecond / 1e6))
    return time(dt)


def ip(v) -> str:
    """Return a dotted IPv4 or compressed IPv6 address."""
    s = text(v)
    try:
        return ipaddress.ip_address(s).compressed
    except ValueError:
        raise BadValue(f"IP地址无效 bad IP address: {s[:40]}") from None


_HEX = set("0123456789ABCDEF")


def mac(v) -> str:
    """Return a MAC address as AA:BB:CC:DD:EE:FF from dashed, dotted, bare or lower-case forms."""
    s = text(v).upper()
    h = "".join(c for c in s if c not in ":-. ")
    if len(h) != 12 or not set(h) <= _HEX:
        raise BadValue(f"MAC地址无效 bad MAC address: {s[:30]}")
    return ":".join(h[i:i + 2] for i in range(0, 12, 2))


def imei(v) -> str:
    """Return an IMEI (or MEID) as its 14 to 16 digits."""
    s = text(v).translate(_SEPARATORS)
    if not (s.isdigit() and 14 <= len(s) <= 16):
        raise BadValue(f"IMEI无效 bad IMEI: {s[:30]}")
    return s


_KIND_ALIASES = {"IMEI": "IMEI", "MEID": "IMEI", "手机": "IMEI", "串号": "IMEI", "MAC": "MAC", "IP": "IP",
                 "IPV4": "IP", "IPV6": "IP", "UKEY": "UKEY", "U盾": "UKEY", "USBKEY": "UKEY"}


def device_kind(v) -> str:
    """Return IMEI, MAC, IP or UKEY from the way a file names the device type ('' if unknown)."""
    return _KIND_ALIASES.get(text(v).upper().replace(" ", "").replace("-", ""), "")


def device(v, kind: str = "") -> tuple[str, str]:
    """Return (key, kind) of a device, guessing the kind from the value when not given."""
    s = text(v)
    if not s:
        raise BadValue("缺少设备号 missing device")
    kind = device_kind(kind) or kind
    if kind == "IMEI":
        return imei(s), kind
    if kind == "MAC":
        return mac(s), kind
    if kind == "IP":
        return ip(s), kind
    if kind:
        return s, kind
    for guess, fn in (("IP", ip), ("MAC", mac), ("IMEI", imei)):
        try:
            return fn(s), guess
        except BadValue:
            pass
    return s, "UKEY"


_OUT = {"出", "借", "D", "DR", "1", "-", "支出", "转出", "付", "付款", "OUT", "O", "DEBIT", "支"}
_IN = {"进", "贷", "C", "CR", "2", "+", "收入", "转入", "存入", "收", "收款", "IN", "I", "CREDIT", "入"}


def direction(v) -> str:
    """Return 'out' or 'in' from 进/出, 借/贷 (借 = 出), D/C, 1/2 (1 = 出), +/-."""
    s = text(v).upper()
    if s in _OUT:
        return "out"
    if s in _IN:
        return "in"
    raise BadValue(f"收付标志无法识别 unknown direction: {s[:10]}")


_CASH_YES = {"现金", "1", "是", "Y", "YES", "TRUE", "CASH", "现"}


def cash_flag(v) -> bool:
    """Return True when the 现金标志 cell marks a cash deposit or withdrawal."""
    return text(v).upper() in _CASH_YES


def gender(v) -> str:
    """Return 男 or 女 from 男/女/M/F/1/2, or the text as given."""
    s = text(v)
    return {"M": "男", "MALE": "男", "1": "男", "F": "女", "FEMALE": "女", "2": "女"}.get(s.upper(), s)


def lookup_keys(value) -> list[tuple[str, str]]:
    """Return the (type, key) pairs a typed-in value may mean, for search: '138 0013 8000' -> phone."""
    s = text(value)
    out = []
    for kind, fn in (("person", person_id), ("phone", phone), ("card", card)):
        try:
            out.append((kind, fn(s)))
        except BadValue:
            pass
    try:
        key, kind = device(s)
        if kind != "UKEY":
            out.append(("device", key))
    except BadValue:
        pass
    return out
