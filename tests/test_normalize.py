"""Normalisers: cards, phones, IDs (check digit, 15 to 18), amounts, times, IP, MAC, IMEI, directions."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders import normalize as nz


def _make_id(first17: str) -> str:
    """Return a valid 18-character ID from its first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, nz.ID_WEIGHTS)) % 11
    return first17 + "10X98765432"[total]


def test_card_strips_spaces_and_dashes():
    assert nz.card("6222 0299 3949 7438 143") == "6222029939497438143"
    assert nz.card("6222-0299-3949") == "622202993949"
    assert nz.card(6222020863373360461) == "6222020863373360461"
    for bad, why in (("", "缺少卡号"), ("  ", "缺少卡号"), ("62A2", "非数字"), (None, "缺少卡号"),
                     (6.222020863373360e18, "丢失位数")):
        with pytest.raises(nz.BadValue, match=why):
            nz.card(bad)


@pytest.mark.parametrize("raw", ["13800138000", "+86 138 0013 8000", "0086-13800138000", "8613800138000",
                                 "138-0013-8000", 13800138000])
def test_phone_forms(raw):
    assert nz.phone(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["1380013800", "23800138000", "+1 415 555 0100", "phone"])
def test_phone_rejects(raw):
    with pytest.raises(nz.BadValue):
        nz.phone(raw)


def test_id_check_digit_and_upgrade():
    assert nz.person_id("11010519600703241x") == "11010519600703241X"
    assert nz.person_id("110105196007032411") if nz.id_valid("110105196007032411") else True
    with pytest.raises(nz.BadValue, match="校验位"):
        nz.person_id("110105196007032412")
    # 15-digit: century 19 inserted, check digit computed
    assert nz.person_id("450102810125840") == _make_id("45010219810125840")
    with pytest.raises(nz.BadValue, match="位数"):
        nz.person_id("1234")
    with pytest.raises(nz.BadValue):
        nz.person_id(_make_id("11010519601303241"))  # month 13: check digit right, date impossible


@given(st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 999),
       st.integers(110000, 659999))
@settings(max_examples=200, deadline=None)
def test_id_roundtrip(birth, seq, region):
    first17 = f"{region:06d}{birth:%Y%m%d}{seq:03d}"
    good = _make_id(first17)
    assert nz.person_id(good) == good
    wrong = next(c for c in "0123456789X" if c != good[-1])
    with pytest.raises(nz.BadValue):
        nz.person_id(good[:17] + wrong)
    if birth.year >= 1900 and birth.year < 2000:
        old = good[:6] + good[8:17]
        assert nz.person_id(old) == good


@pytest.mark.parametrize("raw,val", [("¥1,234.50", 1234.5), ("1234.5元", 1234.5), ("1,234.50", 1234.5),
                                     ("-30.00", 30.0), ("￥ 5,000", 5000.0), (2200, 2200.0), ("RMB 8.8", 8.8)])
def test_amounts(raw, val):
    assert nz.amount(raw) == val


def test_signed_amount_keeps_sign_and_rejects_text():
    assert nz.signed_amount("-4800.00") == -4800.0
    for bad in ("壹仟贰佰元", "abc", "nan", "1.2.3"):
        with pytest.raises(nz.BadValue, match="不是数字"):
            nz.signed_amount(bad)


@given(st.integers(0, 10**9).map(lambda f: f / 100))
def test_amount_roundtrip(x):
    assert nz.amount(f"¥{x:,.2f}") == round(x, 2)
    assert nz.amount(f"{x:.2f}元") == round(x, 2)


@pytest.mark.parametrize("raw", ["2023-01-02 03:04:05", "2023/1/2 3:04:05", "20230102030405", "2023-01-02T03:04:05Z",
                                 "2023-01-02 03:04:05.538", "2023年1月2日 3:04:05", datetime(2023, 1, 2, 3, 4, 5),
                                 "44928.12783564815", 44928.12783564815])
def test_times_to_one_form(raw):
    t, ts = nz.time(raw)
    assert t == "2023-01-02 03:04:05"
    assert ts == int(datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc).timestamp())


def test_time_date_only_and_bad():
    assert nz.time("2023-01-02") == ("2023-01-02 00:00:00", 1672617600)
    assert nz.time("20230102")[0] == "2023-01-02 00:00:00"
    for bad in ("2023-02-30 25:61:00", "2023年13月45日", "yesterday", "2023-02-29 10:00:00"):
        with pytest.raises(nz.BadValue, match="时间"):
            nz.time(bad)


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)))
def test_time_roundtrip(dt):
    dt = dt.replace(microsecond=0)
    s = dt.strftime("%Y-%m-%d %H:%M:%S")
    assert nz.time(s) == (s, int(dt.replace(tzinfo=timezone.utc).timestamp()))
    assert nz.time(f"{dt.year}/{dt.month}/{dt.day} {dt.hour}:{dt.minute:02d}:{dt.second:02d}")[0] == s
    assert nz.time(dt.strftime("%Y%m%d%H%M%S"))[0] == s
    serial = (dt - datetime(1899, 12, 30)) / timedelta(days=1)
    assert nz.time(serial)[0] == s


def test_ip_mac_imei():
    assert nz.ip(" 113.205.200.221 ") == "113.205.200.221"
    assert nz.ip("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1"
    assert nz.mac("a9:ac:9d:e0:fb:69") == "A9:AC:9D:E0:FB:69"
    assert nz.mac("2e-85-fc-4f-15-d6") == "2E:85:FC:4F:15:D6"
    assert nz.mac("BA1E092036ED") == "BA:1E:09:20:36:ED"
    assert nz.mac("ba1e.0920.36ed") == "BA:1E:09:20:36:ED"
    assert nz.imei("99 803481 193584 3") == "998034811935843"
    for fn, bad in ((nz.ip, "300.1.1.1"), (nz.mac, "GG:00:11:22:33:44"), (nz.imei, "12345")):
        with pytest.raises(nz.BadValue):
            fn(bad)
    assert nz.device("a9-ac-9d-e0-fb-69") == ("A9:AC:9D:E0:FB:69", "MAC")
    assert nz.device("10.0.0.1", "IP") == ("10.0.0.1", "IP")
    assert nz.device("998034811935843", "手机") == ("998034811935843", "IMEI")


@pytest.mark.parametrize("raw,side", [("出", "out"), ("进", "in"), ("借", "out"), ("贷", "in"), ("D", "out"),
                                      ("c", "in"), ("1", "out"), ("2", "in"), ("支出", "out"), ("存入", "in")])
def test_directions(raw, side):
    assert nz.direction(raw) == side


def test_direction_unknown_and_cash_flag():
    with pytest.raises(nz.BadValue):
        nz.direction("?")
    assert nz.cash_flag("现金") and not nz.cash_flag("转账") and not nz.cash_flag("")


def test_lookup_keys_for_search():
    assert ("phone", "13800138000") in nz.lookup_keys("+86 138 0013 8000")
    assert ("person", "11010519600703241X") in nz.lookup_keys("11010519600703241x")
    assert ("card", "6222029939497438143") in nz.lookup_keys("6222 0299 3949 7438 143")
    assert ("device", "A9:AC:9D:E0:FB:69") in nz.lookup_keys("a9-ac-9d-e0-fb-69")
    assert nz.lookup_keys("张三") == []
