"""Rows of Parquet files as pyarrow reads them, in the canonical encoding corpus.test.ts compares.

Usage: python3 pyarrow_rows.py FILE...  -> one JSON line per file: {"file", "rows"} or {"file", "error"}.

Canonical values (the test encodes our rows the same way):
  null; true/false; {"i": "<decimal>"} for an integral number; {"f": "<hex of the float64>"} for any
  other finite number; "NaN", "Infinity", "-Infinity", "-0"; {"s": text} for text and for decimals
  (read exactly, as fixed-point text); {"b": "<hex>"} for bytes; {"t": <epoch ms, floored>} for
  timestamps and dates; lists as JSON arrays; structs and maps as {"o": {key: value}}.
"""
import decimal
import json
import math
import struct
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def number(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {"i": str(v)}
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0 and math.copysign(1, v) < 0:
        return "-0"
    if v.is_integer():
        return {"i": str(int(v))}
    return {"f": struct.pack(">d", v).hex()}


def canon(arr):
    """Canonical values of one arrow array, one per slot."""
    t = arr.type
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(t):
        return canon(arr.dictionary_decode())
    if isinstance(t, pa.ExtensionType):
        return canon(arr.storage)
    valid = arr.is_valid().to_pylist() if len(arr) else []
    if pa.types.is_null(t):
        return [None] * len(arr)
    if pa.types.is_timestamp(t):
        per_ms = {"s": None, "ms": 1, "us": 1000, "ns": 1000000}[t.unit]
        raw = arr.cast(pa.int64()).to_pylist()
        return [None if v is None else {"t": v * 1000 if per_ms is None else v // per_ms} for v in raw]
    if pa.types.is_date32(t):
        return [None if v is None else {"t": v * 86400000} for v in arr.cast(pa.int32()).to_pylist()]
    if pa.types.is_date64(t):
        return [None if v is None else {"t": v} for v in arr.cast(pa.int64()).to_pylist()]
    if pa.types.is_time(t) or pa.types.is_duration(t):
        return [None if v is None else number(v) for v in arr.cast(pa.int64()).to_pylist()]
    if pa.types.is_float16(t):
        return canon(arr.cast(pa.float32()))
    if pa.types.is_decimal(t):
        return [None if v is None else {"s": format(v, "f")} for v in arr.to_pylist()]
    if pa.types.is_boolean(t):
        return arr.to_pylist()
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return [None if v is None else number(v) for v in arr.to_pylist()]
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return [None if v is None else {"s": v} for v in arr.to_pylist()]
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_binary_view(t):
        return [None if v is None else {"b": v.hex()} for v in arr.to_pylist()]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) or pa.types.is_list_view(t):
        if pa.types.is_fixed_size_list(t):
            size = t.list_size
            offsets = [arr.offset * size + i * size for i in range(len(arr) + 1)]
        else:
            offsets = arr.offsets.to_pylist()
        values = canon(arr.values)
        return [values[offsets[i]:offsets[i + 1]] if valid[i] else None for i in range(len(arr))]
    if pa.types.is_map(t):
        keys = canon(arr.keys)
        items = canon(arr.items)
        offsets = arr.offsets.to_pylist()
        out = []
        for i in range(len(arr)):
            if not valid[i]:
                out.append(None)
                continue
            entries = {}
            for k in range(offsets[i], offsets[i + 1]):
                entries[key_text(keys[k])] = items[k]
            out.append({"o": entries})
        return out
    if pa.types.is_struct(t):
        fields = [(t.field(i).name, canon(arr.field(i))) for i in range(t.num_fields)]
        return [{"o": {name: values[i] for name, values in fields}} if valid[i] else None for i in range(len(arr))]
    raise TypeError(f"no canonical form for {t}")


def key_text(key):
    """A map key as the property name a JS object gives it."""
    if isinstance(key, dict):
        for tag in ("s", "i"):
            if tag in key:
                return key[tag]
    return json.dumps(key)


def rows_of(path):
    # INT96 as milliseconds: pyarrow's default (nanoseconds) overflows past the year 2262.
    table = pq.read_table(path, coerce_int96_timestamp_unit="ms").combine_chunks()
    columns = [(name, canon(table.column(name))) for name in table.column_names]
    return [{name: values[i] for name, values in columns} for i in range(table.num_rows)]


for path in sys.argv[1:]:
    try:
        out = {"file": path, "rows": rows_of(path)}
    except Exception as error:  # each file's failure is that file's result
        out = {"file": path, "error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(out) + "\n")
