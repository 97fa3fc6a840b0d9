"""Reads the Parquet files of the differential test with pyarrow, DuckDB and polars.

Usage: python3 read_parquet_cases.py DIR

DIR holds one folder per case, each with `case.json` ({"rowGroupSize": N}) and the files named in
FILES. For each case this also writes pyarrow's own file of the same table (read from ours), and
prints one JSON document: per case and file, each engine's rows (canonical values) and column
types, pyarrow's view of the statistics and page index, and for filters on every ordered column
the row groups pyarrow keeps by statistics, next to the row groups that hold a matching row.
Any missing library is an import error and a non-zero exit: the test fails, it does not skip.
"""
import json
import math
import os
import sys

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

FILES = ["ours", "hyparquet", "pyarrow"]
OPS = ["<", "<=", "==", ">=", ">"]
TRUNCATE = 64


def canonical(value):
    """A value as JSON can carry it exactly: floats' specials as strings, ints as text, bytes as hex."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value == 0 and math.copysign(1.0, value) < 0:
            return "-0"
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    raise TypeError(f"no canonical form for {type(value)}")


def is_timestamp(arrow_type):
    return pa.types.is_timestamp(arrow_type)


def pyarrow_rows(table):
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if is_timestamp(column.type):
            column = column.cast(pa.int64())
        elif isinstance(column.type, pa.ExtensionType):
            column = column.cast(column.type.storage_type)
        columns[name] = [canonical(v) for v in column.to_pylist()]
    return columns


def duckdb_read(path, con):
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    types = {row[0]: row[1] for row in described}
    selects = []
    for name, kind in types.items():
        quoted = '"' + name.replace('"', '""') + '"'
        if kind.startswith("TIMESTAMP"):
            selects.append(f"epoch_ms({quoted})")
        elif kind == "JSON":
            selects.append(f"{quoted}::VARCHAR")
        else:
            selects.append(quoted)
    rows = con.execute(f"SELECT {', '.join(selects)} FROM read_parquet('{path}')").fetchall()
    names = list(types)
    columns = {name: [canonical(row[j]) for row in rows] for j, name in enumerate(names)}
    return {"types": types, "rows": columns}


def polars_read(path):
    frame = pl.read_parquet(path)
    types = {name: str(dtype) for name, dtype in frame.schema.items()}
    columns = {}
    for name, dtype in frame.schema.items():
        series = frame.get_column(name)
        if isinstance(dtype, pl.Datetime):
            series = series.cast(pl.Int64)
        columns[name] = [canonical(v) for v in series.to_list()]
    return {"types": types, "rows": columns}


def statistics(path):
    metadata = pq.ParquetFile(path).metadata
    schema = metadata.schema
    columns = {}
    for j in range(metadata.num_columns):
        name = schema.column(j).name
        chunks = []
        for i in range(metadata.num_row_groups):
            chunk = metadata.row_group(i).column(j)
            stats = chunk.statistics
            chunks.append({
                "hasMinMax": bool(stats is not None and stats.has_min_max),
                "hasColumnIndex": bool(chunk.has_column_index),
                "hasOffsetIndex": bool(chunk.has_offset_index),
            })
        columns[name] = {
            "logicalType": str(schema.column(j).logical_type),
            "convertedType": str(schema.column(j).converted_type),
            "physicalType": str(schema.column(j).physical_type),
            "chunks": chunks,
        }
    return {"rowGroups": metadata.num_row_groups, "columns": columns}


def byte_length(value):
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, bytes):
        return len(value)
    return 0


def orderable(arrow_type):
    return (pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_boolean(arrow_type)
            or pa.types.is_string(arrow_type) or pa.types.is_binary(arrow_type) or is_timestamp(arrow_type))


def literals(values):
    """A few literals from a column's values: its extremes and some in between, never NaN."""
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not present:
        return []
    ordered = sorted(set(present), key=lambda v: v.encode("utf-8") if isinstance(v, str) else v)
    picks = {0, len(ordered) - 1, len(ordered) // 2, len(ordered) // 3}
    return [ordered[k] for k in sorted(picks)]


def pruning(table, paths, row_group_size):
    """For each filter, the row groups pyarrow keeps by statistics in each file, and those it needs."""
    fragments = {name: next(iter(ds.dataset(path, format="parquet").get_fragments())) for name, path in paths.items()}
    results = []
    comparisons = {"<": pc.less, "<=": pc.less_equal, "==": pc.equal, ">=": pc.greater_equal, ">": pc.greater}
    for name in table.column_names:
        column = table.column(name)
        if not orderable(column.type):
            continue
        # Timestamps as epoch ms: Python's datetime cannot hold every date a JS Date can.
        raw = column.cast(pa.int64()) if is_timestamp(column.type) else column
        values = raw.to_pylist()
        groups = [pa.array(values[k:k + row_group_size], type=raw.type) for k in range(0, len(values), row_group_size)]
        # Whether an exact bound of some row group is longer than a truncated one can be.
        long_bounds = any(byte_length(v) > TRUNCATE for v in values if v is not None)
        for literal in literals(values):
            raw_scalar = pa.scalar(literal, type=raw.type)
            scalar = raw_scalar.cast(column.type) if is_timestamp(column.type) else raw_scalar
            for op in OPS:
                compare = comparisons[op]
                expression = compare(ds.field(name), scalar)
                needed = [k for k, group in enumerate(groups) if pc.any(compare(group, raw_scalar)).as_py()]
                kept = {file: [f.row_groups[0].id for f in fragment.split_by_row_group(expression)] for file, fragment in fragments.items()}
                results.append({"column": name, "op": op, "literal": canonical(literal), "longBounds": long_bounds,
                                "needed": needed, "kept": kept})
    return results


def read_case(folder, con):
    with open(os.path.join(folder, "case.json")) as f:
        case = json.load(f)
    row_group_size = case["rowGroupSize"]
    ours = os.path.join(folder, "ours.parquet")
    table = pq.read_table(ours)
    own = os.path.join(folder, "pyarrow.parquet")
    pq.write_table(table, own, row_group_size=row_group_size)
    paths = {name: os.path.join(folder, f"{name}.parquet") for name in FILES}
    out = {}
    for name, path in paths.items():
        arrow = pq.read_table(path)
        out[name] = {
            "pyarrow": {"types": {f.name: str(f.type) for f in arrow.schema}, "rows": pyarrow_rows(arrow)},
            "duckdb": duckdb_read(path, con),
            "polars": polars_read(path),
            "statistics": statistics(path),
        }
    out["pruning"] = pruning(table, paths, row_group_size)
    return out


def main():
    root = sys.argv[1]
    cases = sorted(os.listdir(root))
    con = duckdb.connect()
    reads = {name: read_case(os.path.join(root, name), con) for name in cases}
    con.close()
    sys.stdout.write(json.dumps(reads, allow_nan=False))


if __name__ == "__main__":
    main()
