"""交易明细 a block at a time: each column normalised once per distinct value, the rows converted by polars.

A bank reply repeats its card, names, IDs and counterparties on thousands of rows, so the row
path's normalisers (loaders.normalize, the same functions) run once per distinct value and polars
maps the results back onto the rows. The conversion follows loaders.transfers row for row: the
same rejects with the same reasons, the same entities, cash events and transfer records; a test
loads the same files both ways and compares the graphs.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from . import normalize as nz
from .chunk import Chunk
from .convert import _MISSING
from .frames import Block
from .mapping import Layout, kind_spec
from .mentions import block_mentions
from .transfers import add_cash

__all__ = ["supported", "convert_block"]

_ABSENT = object()
_MEMO: dict = {}  # normaliser -> {text cell: result}, across blocks and files (results depend on the cell only)
_MEMO_MAX = 400_000
_NUMERIC = {nz.signed_amount, nz.amount}
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_BY_VALUE = {nz.person_id}  # polars checks it in many steps: per distinct value, not per row


def supported(layout: Layout) -> bool:
    """Return True for a 交易明细 layout whose fields are plain columns or constants (templates go row by row)."""
    if layout.kind != "transfers":
        return False
    return all(g.template is None and g.values is None and not g.prefix for g in layout.getters.values())


def _cell(raw, norm, is_text: bool):
    """Return one cell normalised as the row extractor does: a value, _ABSENT, or the BadValue."""
    if raw is None:
        return _ABSENT
    if raw.__class__ is str:
        if is_text:
            s = raw.strip()
            return s if s else _ABSENT
        if not raw.strip():
            return _ABSENT
    elif raw == "":
        return _ABSENT
    try:
        return norm(raw)
    except nz.BadValue as e:
        return e


def _dtype(norm):
    """Return the polars type of a normaliser's values."""
    if norm in _NUMERIC:
        return pl.Float64
    if norm is nz.cash_flag:
        return pl.Boolean
    return pl.String


_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # Python's str.strip() set (\x1c-\x1f too)
_AMOUNT_JUNK = ["RMB", "CNY", "¥", "￥", ",", "，", "元", " ", "\u3000", "$"]  # removed from amounts (any case)
_CARD_SEPARATORS = "[ \\-_\t\u3000]"
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = f"^{_OCTET}(\\.{_OCTET}){{3}}$"
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y%m%d%H%M%S")


def _patch(done: pl.Series, col: pl.Series, slow) -> pl.Series:
    """Return done with its nulls where col has a value replaced by slow(those cells): the common form is checked
    by one cheap pass over every row, the rest by more passes over the few rows that need them."""
    idx = (done.is_null() & col.is_not_null()).arg_true()
    if not idx.len():
        return done
    return done.scatter(idx, slow(col.gather(idx)).cast(done.dtype))


def _when(good: pl.Series, value: pl.Series) -> pl.Series:
    """Return value where good is true, else null."""
    return pl.select(pl.when(good).then(value).otherwise(None).alias(value.name)).to_series()


def _vector(col: pl.Series, norm) -> list[pl.Series] | None:
    """Return the values polars computes itself for the common forms (nulls where Python must decide), or None.

    Only forms whose result is certain are taken: plain decimal amounts, the three usual time
    layouts with a real date in 1900-2100; anything else goes through the normaliser.
    """
    if norm is nz.text:
        s = col.str.strip_chars(_SPACE)
        return [_when(s != "", s)]
    if norm is nz.signed_amount:  # as normalize.signed_amount: plain, else without ¥ , 元 RMB CNY (not (1.00))
        def slow(c):
            t = c.str.strip_chars(_SPACE)
            return t.str.replace_many(_AMOUNT_JUNK, [""] * len(_AMOUNT_JUNK), ascii_case_insensitive=True).cast(
                pl.Float64, strict=False)
        head = col.drop_nulls().head(1)  # a bank writes its amounts one way: ¥1,234.50 throughout, or 1234.5
        plain = not head.len() or not head.cast(pl.Float64, strict=False).null_count()
        x = _patch(col.cast(pl.Float64, strict=False), col, slow) if plain else slow(col)
        return [_when(x.is_finite(), x)]
    if norm is nz.card:  # digits once spaces and dashes are gone
        def slow(c):
            t = c.str.strip_chars(_SPACE).str.replace_all(_CARD_SEPARATORS, "")
            return _when(t.str.contains("^[0-9]+$"), t)
        return [_patch(_when(col.str.contains("^[0-9]+$"), col), col, slow)]
    if norm is nz.person_id:  # 18 ASCII characters, check digit and birth date right: already in the one form
        t = col.str.strip_chars(_SPACE).str.to_uppercase()
        # ISO 7064 MOD 11-2: the weights are 2^(17-i) mod 11, and 13 = 2 mod 11, so the weighted sum of the
        # first 17 digits is 2 * (those digits read in base 13) mod 11 (at most 6.5e18: fits an Int64, but twice
        # that does not: reduced mod 11 first; IDs of regions 71/81/82 overflowed)
        total = t.str.slice(0, 17).str.to_integer(base=13, strict=False) % 11 * 2 % 11
        check = total.replace_strict(list(range(11)), list(nz.ID_CHECK), default=None, return_dtype=pl.String)
        born = t.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)
        good = t.str.contains("^[0-9]{17}[0-9X]$") & (check == t.str.slice(17, 1)) & (born.dt.year() >= 1)
        return [_when(good, t)]
    if norm is nz.mac:
        def slow(c):
            h = c.str.strip_chars(_SPACE).str.to_uppercase().str.replace_all("[:. -]", "")
            pretty = pl.select(pl.concat_str([h.str.slice(i, 2) for i in range(0, 12, 2)], separator=":")).to_series()
            return _when(h.str.contains("^[0-9A-F]{12}$"), pretty)
        return [_patch(_when(col.str.contains("^[0-9A-F]{2}(:[0-9A-F]{2}){5}$"), col), col, slow)]
    if norm is nz.ip:  # dotted IPv4 without leading zeros is already in its one form
        t = col.str.strip_chars(_SPACE)
        return [_when(t.str.contains(_IPV4), t)]
    if norm is nz.time:
        return _times(col)
    return None


def _times(col: pl.Series) -> list[pl.Series]:
    """Return (text, epoch seconds) of the times polars reads in one of the usual layouts (strptime would roll
    0:00:60 over to 0:01:00: a second of 60 is left to the normaliser, which refuses it)."""
    s = col.str.strip_chars(_SPACE)
    first, *others = _TIME_FORMATS
    sample = s.drop_nulls().head(1).str.strptime(pl.Datetime("ms"), first, strict=False)
    if sample.len() and sample.null_count():  # a bank writes its times one way: try the first value's layout first
        first = next((f for f in others if s.drop_nulls().head(1).str.strptime(
            pl.Datetime("ms"), f, strict=False).null_count() == 0), first)
        others = [f for f in _TIME_FORMATS if f != first]
    dt = s.str.strptime(pl.Datetime("ms"), first, strict=False)
    canonical = dt.is_not_null() & (s.str.len_bytes() == 19) if first == _TIME_FORMATS[0] else None
    if dt.null_count() > s.null_count():  # other layouts in this block
        dt = _patch(dt, s, lambda c: pl.select(pl.coalesce(
            [c.str.strptime(pl.Datetime("ms"), f, strict=False) for f in others])).to_series())
    if canonical is None:  # already 'YYYY-MM-DD HH:MM:SS'
        canonical = s.str.contains(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$").fill_null(False) & dt.is_not_null()
    good = dt.dt.year().is_between(1900, 2100) & (s.str.slice(-2) != "60")
    if (canonical | dt.is_null()).all():
        text = s
    else:
        text = pl.select(pl.when(canonical).then(s).otherwise(dt.dt.strftime("%Y-%m-%d %H:%M:%S"))).to_series()
    return [_when(good, text), _when(good, dt.dt.epoch("s"))]


def _field(col, norm, text: bool) -> tuple[list, pl.Series | None]:
    """Return ([value Series...], error Series or None) of one field of a block."""
    if not text:
        return _results(_py_cells(col, norm), norm)
    if norm in _BY_VALUE and col.len() > 1:  # few distinct values: normalised once each, mapped back
        values = col.unique()
        if values.len() * 2 < col.len():
            got, err = _field(values, norm, text)
            if len(got) == 1 and got[0].dtype == col.dtype:  # most IDs are in their one form already: map the others
                changed = ~(got[0] == values).fill_null(False) & values.is_not_null()
                old = values.filter(changed)
                if not old.len():
                    return [col], None
                return [col.replace(old, got[0].filter(changed))], (
                    col.replace_strict(old, err.filter(changed), default=None, return_dtype=pl.String)
                    if err is not None else None)
            back = [col.replace_strict(values, g, default=None, return_dtype=g.dtype) for g in got]
            return back, (col.replace_strict(values, err, default=None, return_dtype=pl.String)
                          if err is not None else None)
    fast = _vector(col, norm)
    if fast is None:
        return _distinct(col, col, norm)
    done = pl.select(*[e.alias(f"v{i}") for i, e in enumerate(fast)]).get_columns()
    if norm is nz.text:  # nothing left for Python: blank cells are absent
        return done, None
    todo = col.filter(done[0].is_null() & col.is_not_null() & (col.str.strip_chars(_SPACE) != ""))
    if not todo.len():
        return done, None
    slow, err = _distinct(col, todo, norm)
    return [pl.select(pl.coalesce([d, v])).to_series() for d, v in zip(done, slow)], err


def _distinct(col: pl.Series, values: pl.Series, norm) -> tuple[list, pl.Series | None]:
    """Normalise the distinct values among `values` in Python and map the results onto the column."""
    keys = [v for v in values.unique().to_list() if v is not None]
    memo = _MEMO.setdefault(norm, {})  # the blocks of a load repeat their IDs and cards
    if len(memo) > _MEMO_MAX:
        memo.clear()
    res = []
    for v in keys:
        r = memo.get(v, memo)
        if r is memo:
            r = memo[v] = _cell(v, norm, norm is nz.text)
        res.append(r)
    return _results(res, norm, col, keys)


def _py_cells(cells: list, norm) -> list:
    """Return the normalised typed cells of an Excel column, each distinct value normalised once."""
    memo, res, is_text = {}, [], norm is nz.text
    for v in cells:
        try:
            r = memo.get(v, _ABSENT)
            if r is _ABSENT:
                r = memo[v] = _cell(v, norm, is_text)
        except TypeError:  # unhashable cell
            r = _cell(v, norm, is_text)
        res.append(r)
    return res


def _results(res: list, norm, col=None, keys=None) -> tuple[list, pl.Series | None]:
    """Return value and error Series from results per row, or per distinct key mapped onto col."""
    errs = [str(r) if isinstance(r, nz.BadValue) else None for r in res]
    vals = [None if r is _ABSENT or isinstance(r, nz.BadValue) else r for r in res]

    def back(values, dtype):
        if keys is None:
            return pl.Series(values, dtype=dtype)
        return col.replace_strict(keys, pl.Series(values, dtype=dtype), default=None, return_dtype=dtype)

    if norm is nz.time:
        out = [back([v[0] if v else None for v in vals], pl.String), back([v[1] if v else None for v in vals], pl.Int64)]
    else:
        out = [back(vals, _dtype(norm))]
    return out, (back(errs, pl.String) if any(e is not None for e in errs) else None)


def _normalise(block: Block, layout: Layout) -> pl.DataFrame:
    """Return the block's fields normalised, with `_reason` set on rows the extractor would refuse."""
    n = len(block.numbers)
    spec = kind_spec(layout.kind)
    required = spec["required"]
    req_fields = {a for alts in required for a in alts}
    cols: dict = {"_n": pl.Series(block.numbers, dtype=pl.Int64)}
    errors = []
    for f, g in layout.getters.items():
        norm = layout.normalizers[f]
        if g.index is not None:
            col = block.columns[g.index]
            vals, err = _field(col, norm, isinstance(col, pl.Series))
        else:  # a constant of the mapping
            vals, err = _field(pl.Series([nz.text(g.value)] * n, dtype=pl.String), norm, True)
        if norm is nz.time:
            cols[f], cols[f"{f}_ts"] = vals
        else:
            cols[f] = vals[0]
        if err is not None and f in req_fields:
            errors.append(pl.col(f"_err_{f}"))
            cols[f"_err_{f}"] = err
    df = pl.DataFrame(cols)
    for f in spec["fields"]:
        if f not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=_dtype(layout.normalizers[f])).alias(f))
    if "time_ts" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.Int64).alias("time_ts"))
    reason = pl.coalesce(errors) if errors else pl.lit(None, dtype=pl.String)
    missing = {"card": "缺少交易卡号 missing card number"}
    for alts in required:
        msg = missing.get(alts[0]) or _MISSING.get(alts[0], f"缺少 {alts[0]} missing {alts[0]}")
        reason = pl.coalesce([reason, pl.when(pl.all_horizontal([pl.col(a).is_null() for a in alts]))
                             .then(pl.lit(msg)).otherwise(pl.lit(None, dtype=pl.String))])
    df = df.with_columns(reason.alias("_reason"))
    if layout.extras:
        raw = pl.DataFrame({f"_x{j}": block.columns[i] if isinstance(block.columns[i], pl.Series) else pl.Series(
            [None if c in (None, "") else nz.text(c) for c in block.columns[i]], dtype=pl.String)
            for j, (_, i) in enumerate(layout.extras)})
        parts = [pl.when(pl.col(f"_x{j}").is_not_null() & (pl.col(f"_x{j}") != ""))
                 .then(pl.lit(f"{h}=") + pl.col(f"_x{j}").str.strip_chars(_SPACE)) for j, (h, _) in enumerate(layout.extras)]
        extra = raw.select(pl.concat_str(parts, separator=";", ignore_nulls=True).fill_null("")
                           .str.replace_all(",", "，", literal=True).alias("_extra")).to_series()
        df = df.with_columns(extra)
    else:
        df = df.with_columns(pl.lit("").alias("_extra"))
    return df


def _sides(df: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Add `side`, `amt` (positive, to the fen) and the direction rejects of loaders.transfers."""
    out, inn, amount, direction = pl.col("out_amount"), pl.col("in_amount"), pl.col("amount"), pl.col("direction")
    truthy_out = out.is_not_null() & (out != 0)
    truthy_in = inn.is_not_null() & (inn != 0)
    none_s = pl.lit(None, dtype=pl.String)
    if layout.has("direction"):
        side = direction
        amt = pl.when(amount.is_not_null()).then(amount).when(truthy_out).then(out).otherwise(inn)
        why = (pl.when(direction.is_null()).then(pl.lit("收付标志无法识别 unknown direction"))
               .when(amt.is_null()).then(pl.lit("缺少金额 missing amount")).otherwise(none_s))
    else:
        two = layout.has("out_amount", "in_amount")
        use_two = (truthy_out | truthy_in) if two else pl.lit(False)
        side = (pl.when(use_two & truthy_out).then(pl.lit("out")).when(use_two).then(pl.lit("in"))
                .when(amount.is_not_null()).then(pl.when(amount < 0).then(pl.lit("out")).otherwise(pl.lit("in")))
                .otherwise(none_s))
        amt = pl.when(use_two & truthy_out).then(out).when(use_two).then(inn).otherwise(amount)
        why = pl.when(side.is_null()).then(pl.lit("缺少金额 missing amount")).otherwise(none_s)
    df = df.with_columns(side.alias("side"), amt.alias("_amt"), why.alias("_why"))
    df = df.with_columns(pl.coalesce([pl.col("_reason"), pl.col("_why")]).alias("_reason"))
    return df.with_columns(_to_fen(df.get_column("_amt")).alias("amt"))


def _to_fen(amt: pl.Series) -> pl.Series:
    """Return round(abs(amount), 2) as Python rounds it: by numpy where the amount in fen is not within a rounding
    error of a half (both then agree; numpy divides exactly, polars multiplies by 0.01), else by Python (it rounds
    the exact decimal value)."""

    y = np.abs(amt.cast(pl.Float64).to_numpy()) * 100  # nulls are NaN
    with np.errstate(invalid="ignore"):
        near_half = np.abs(y - np.floor(y) - 0.5) <= 1e-6 + y * 1e-12
    out = np.round(y) / 100
    out[near_half] = np.nan
    fen = pl.Series("amt", out, dtype=pl.Float64, nan_to_null=True)
    odd = amt.filter(pl.Series(near_half)).unique().to_list()
    if not odd:
        return fen
    exact = amt.replace_strict(odd, pl.Series([round(abs(v), 2) for v in odd], dtype=pl.Float64), default=None,
                               return_dtype=pl.Float64)
    return pl.select(pl.coalesce([fen, exact])).to_series().alias("amt")


def _pair_keys(tr: pl.DataFrame) -> pl.Series:
    """Return loaders.convert.pair_key of each transfer row: its text assembled and hashed (XXH64) by polars,
    written as 16 hex digits by numpy."""
    import polars_hash  # noqa: F401  (registers the nchash namespace)

    parts = [pl.col(c).cast(pl.String).fill_null("None") for c in ("a", "b", "_fen", "time_ts")]
    h = tr.select(pl.concat_str(parts, separator=">").nchash.xxhash64()).to_series().to_numpy()
    octets = h.astype(">u8").view(np.uint8).reshape(-1, 8)
    text = np.empty((len(h), 16), dtype=np.uint8)
    text[:, 0::2], text[:, 1::2] = _HEX[octets >> 4], _HEX[octets & 15]
    return pl.Series("pair", text.view("S16").ravel()).cast(pl.String)


def convert_block(block: Block, layout: Layout, batch: str, ch: Chunk):
    """Convert a block: cash events into the chunk; return (transfer rows, entity mentions, rejects [(n, reason, cells)])."""
    rejects = list(block.rejected)
    if not block.numbers:
        return None, None, rejects
    df = _sides(_normalise(block, layout), layout)
    bad = df.select(pl.arg_where(pl.col("_reason").is_not_null())).to_series().to_list()
    if bad:
        reasons = df.get_column("_reason").gather(bad).to_list()
        nums = df.get_column("_n").gather(bad).to_list()
        rejects.extend((n, why, block.cells(i)) for n, why, i in zip(nums, reasons, bad))
        rejects.sort(key=lambda r: r[0])
        df = df.filter(pl.col("_reason").is_null())
    df = df.with_columns(pl.coalesce([pl.col("card"), pl.col("account")]).alias("card"))
    cash = pl.col("cash").fill_null(False) | pl.col("counter_card").is_null()
    df = df.with_columns(cash.alias("_cash"))
    tr = df.filter(~pl.col("_cash"))
    mentions = block_mentions(df, tr)
    if df.height > tr.height:
        src = (pl.lit(f"{batch}#") + pl.col("_n").cast(pl.String)).alias("src")
        cash_rows = df.filter(pl.col("_cash")).select("card", "side", "amt", "time_ts", "time", "serial", src, "branch",
                                                      "channel", "summary")  # what add_cash reads, not every field
        for card, side, amt, ts, tm, serial, src, branch, channel, summary in cash_rows.iter_rows():
            add_cash(ch, {"branch": branch, "channel": channel, "summary": summary}, card, side, amt, ts, tm,
                     serial or "", src)
    ch.rows += df.height
    if not tr.height:
        return None, mentions, rejects
    out = pl.col("side") == "out"
    tr = tr.with_columns(pl.when(out).then(pl.col("card")).otherwise(pl.col("counter_card")).alias("a"),
                         pl.when(out).then(pl.col("counter_card")).otherwise(pl.col("card")).alias("b"),
                         (pl.col("amt") * 100).round(0).cast(pl.Int64).alias("_fen"))
    tr = tr.with_columns(_pair_keys(tr))
    blank = [pl.col(c).fill_null("").alias(c) for c in ("serial", "summary", "channel", "branch", "ip", "mac")]
    # staged without what pass 2 derives (loaders.pass2.derive): key, the time's text, the source row's text
    return tr.select("a", "b", "pair", pl.col("time_ts").alias("ts"), pl.col("amt").alias("amount"), *blank, "side",
                     pl.col("_n").cast(pl.UInt32).alias("n"), "balance", pl.col("_extra").alias("extra")), mentions, rejects
