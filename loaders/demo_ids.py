"""Identity primitives of the demo case: Chinese names, valid IDs, phones, cards, devices, messy forms.

Every generator takes a `random.Random` so a seed gives the same values; canonical values are the
normalised keys of docs/data-model.md, the `messy_*` functions give the forms found in real files.
"""
from __future__ import annotations

__all__ = ["BANKS", "id_check", "make_id", "id15", "bad_check", "make_name", "make_address", "make_phone",
           "messy_phone", "carrier_of",
           "make_card", "messy_card", "make_imei", "make_mac", "messy_mac", "make_ip", "messy_ip",
           "ADDRESS_OF"]

# (name, BIN prefix, card length): real BINs of debit cards, numbers end in a Luhn check digit.
BANKS = [("中国工商银行", "622202", 19), ("中国建设银行", "621700", 19), ("中国农业银行", "622848", 19),
         ("中国银行", "621661", 19), ("招商银行", "622588", 16), ("交通银行", "622262", 19),
         ("中国邮政储蓄银行", "621799", 19), ("平安银行", "622155", 16), ("中信银行", "622690", 16)]

# Region codes (first six digits of an ID) and the address they stand for.
ADDRESS_OF = {"110101": "北京市东城区", "110105": "北京市朝阳区", "310104": "上海市徐汇区", "440106": "广州市天河区",
              "440304": "深圳市福田区", "330106": "杭州市西湖区", "420106": "武汉市武昌区", "510107": "成都市武侯区",
              "350203": "厦门市思明区", "450102": "南宁市兴宁区", "430102": "长沙市芙蓉区", "410105": "郑州市金水区",
              "360102": "南昌市东湖区", "530102": "昆明市五华区", "520102": "贵阳市南明区", "370102": "济南市历下区",
              "320106": "南京市鼓楼区", "460106": "海口市龙华区", "341302": "宿州市埇桥区", "452501": "玉林市玉州区"}
_REGIONS = list(ADDRESS_OF)
_STREETS = ["人民路", "解放路", "中山路", "建设路", "和平街", "文化路", "新华路", "胜利街", "青年路", "长江路"]

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔")
_COMPOUND = ["欧阳", "司马", "上官", "诸葛"]
_GIVEN_M = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文博东晨"
_GIVEN_F = "芳娜敏静丽艳娟霞秀玲桂英丹萍红玉兰梅琳雪倩颖慧婷洁佳怡欣悦璐瑶晶燕莉琴云凤"
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 17 digits of an ID."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _W)) % 11]


def make_id(rng, used: set, year_from=1960, year_to=2003, male=None) -> str:
    """Return a new valid 18-character ID number (region, birth date, sequence, check)."""
    while True:
        region = rng.choice(_REGIONS)
        y, m, d = rng.randint(year_from, year_to), rng.randint(1, 12), rng.randint(1, 28)
        seq = rng.randint(0, 499) * 2 + (1 if (male if male is not None else rng.random() < 0.5) else 0)
        body = f"{region}{y:04d}{m:02d}{d:02d}{seq:03d}"
        pid = body + id_check(body)
        if pid not in used:
            used.add(pid)
            return pid


def id15(pid: str) -> str:
    """Return the old 15-digit form of an 18-digit ID of someone born in the 1900s."""
    return pid[:6] + pid[8:17]


def bad_check(pid: str) -> str:
    """Return the ID with a wrong check character (a planted bad row)."""
    right = pid[17]
    return pid[:17] + ("0" if right != "0" else "1")


def make_name(rng, male: bool) -> str:
    """Return a Chinese name: common surname (rarely compound) and one or two given characters."""
    sur = rng.choice(_COMPOUND) if rng.random() < 0.01 else rng.choice(_SURNAMES)
    pool = _GIVEN_M if male else _GIVEN_F
    return sur + "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.3 else 2))


def make_address(rng, pid: str) -> str:
    """Return a household address in the region of the ID."""
    return f"{ADDRESS_OF.get(pid[:6], '某市某区')}{rng.choice(_STREETS)}{rng.randint(1, 399)}号"


_PREFIXES = ["134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183",
             "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189", "177", "199"]


def make_phone(rng, used: set) -> str:
    """Return a new 11-digit mainland mobile number."""
    while True:
        p = rng.choice(_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
        if p not in used:
            used.add(p)
            return p


def carrier_of(phone: str) -> str:
    """Return the carrier of a mobile number from its prefix."""
    if phone[:3] in ("130", "131", "132", "155", "156", "185", "186"):
        return "中国联通"
    if phone[:3] in ("133", "153", "180", "189", "177", "199"):
        return "中国电信"
    return "中国移动"


def messy_phone(phone: str, k: int) -> str:
    """Return one of the forms a phone number takes in files (k picks the form)."""
    forms = (phone, f"+86 {phone}", f"0086{phone}", f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"86-{phone}",
             f"+86{phone}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}")
    return forms[k % len(forms)]


def _luhn(body: str) -> str:
    """Return the Luhn check digit of a card number body."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_card(rng, bank: int, used: set) -> str:
    """Return a new card number of a bank (its BIN, its length, Luhn check digit)."""
    _, bin_, length = BANKS[bank]
    while True:
        body = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1))
        card = body + _luhn(body)
        if card not in used:
            used.add(card)
            return card


def messy_card(card: str, k: int) -> str:
    """Return one of the forms a card number takes (plain, spaced by four, dashed)."""
    if k % 3 == 1:
        return " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    if k % 3 == 2:
        return "-".join(card[i:i + 4] for i in range(0, len(card), 4))
    return card


def make_imei(rng, used: set) -> str:
    """Return a new 15-digit IMEI with its Luhn check digit."""
    while True:
        body = rng.choice(["86", "35", "86", "99"]) + "".join(str(rng.randint(0, 9)) for _ in range(12))
        imei = body + _luhn(body)
        if imei not in used:
            used.add(imei)
            return imei


def make_mac(rng, used: set) -> str:
    """Return a new MAC address in the canonical AA:BB:CC:DD:EE:FF form."""
    while True:
        mac = ":".join(f"{rng.randint(0, 255):02X}" for _ in range(6))
        if mac not in used:
            used.add(mac)
            return mac


def messy_mac(mac: str, k: int) -> str:
    """Return one of the forms a MAC takes in files (lower case, dashes, bare hex)."""
    forms = (mac, mac.lower(), mac.replace(":", "-"), mac.replace(":", ""), mac.lower().replace(":", "-"))
    return forms[k % len(forms)]


def make_ip(rng, used: set, public=True) -> str:
    """Return a new dotted IPv4 address (public ranges of Chinese ISPs, or a private one)."""
    while True:
        if public:
            ip = f"{rng.choice([36, 58, 61, 112, 113, 117, 120, 183, 221, 222, 223])}.{rng.randint(1, 254)}." \
                 f"{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        else:
            ip = f"192.168.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
        if ip not in used:
            used.add(ip)
            return ip


def messy_ip(ip: str, k: int) -> str:
    """Return one of the forms an IP takes in files (plain, padded with spaces)."""
    return (ip, f" {ip} ", ip)[k % 3]
