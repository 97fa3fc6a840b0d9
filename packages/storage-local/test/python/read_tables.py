"""Reads every table under a root the way other engines do, and prints what each saw as JSON.

For each table: the live files by replaying its Delta log (adds and removes, as a Delta reader
does), then the rows and Arrow types through pyarrow, polars and DuckDB, both from exactly the
log's files (partition values from the log) and from the folder as a Hive dataset.
Usage: python3 read_tables.py ROOT TABLE [TABLE ...]
"""
import base64
import datetime
import decimal
import json
import math
import os
import sys
import urllib.parse

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq


def live_files(table_dir):
    log = os.path.join(table_dir, "_delta_log")
    versions = sorted(int(n[:20]) for n in os.listdir(log) if n.endswith(".json") and n[:20].isdigit())
    files, schema, partition_columns = {}, None, []
    for v in versions:
        with open(os.path.join(log, f"{v:020d}.json")) as fh:
            for line in fh:
                if not line.strip():
                    continue
                action = json.loads(line)
                if "add" in action:
                    files[action["add"]["path"]] = action["add"]["partitionValues"]
                elif "remove" in action:
                    files.pop(action["remove"]["path"], None)
                elif "metaData" in action:
                    schema = json.loads(action["metaData"]["schemaString"])
                    partition_columns = action["metaData"]["partitionColumns"]
    paths = {os.path.join(table_dir, *[urllib.parse.unquote(s) for s in p.split("/")]): pv for p, pv in files.items()}
    return paths, schema, partition_columns


def plain(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return {"$float": value if math.isfinite(value) else repr(value)}
    if isinstance(value, int):
        return value if abs(value) <= 2**53 else {"$int": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return {"$date": value.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    return {"$other": repr(value)}


def rows_of(table):
    return [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()]


def typed_partition(value, field):
    if value is None:
        return None
    kind = field["type"]
    if kind in ("long", "integer", "short", "byte"):
        return int(value)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return value == "true"
    return value


def read_table(root, name):
    table_dir = os.path.join(root, name)
    paths, schema, partition_columns = live_files(table_dir)
    fields = {f["name"]: f for f in schema["fields"]}
    out = {"files": len(paths), "schema": schema, "engines": {}}

    # pyarrow: exactly the log's files, partition values from the log.
    tables = []
    for path, pv in sorted(paths.items()):
        t = pq.read_table(path)
        for col in partition_columns:
            value = typed_partition(pv.get(col), fields[col])
            t = t.append_column(col, pa.array([value] * t.num_rows))
        tables.append(t)
    combined = pa.concat_tables(tables, promote_options="default") if tables else None
    column_types = {}
    for path in sorted(paths):
        for field in pq.read_schema(path):
            column_types.setdefault(field.name, set()).add(str(field.type))
    out["column_types"] = {k: sorted(v) for k, v in column_types.items()}
    out["engines"]["pyarrow_log"] = {
        "rows": rows_of(combined) if combined is not None else [],
        "types": {f.name: str(f.type) for f in combined.schema} if combined is not None else {},
    }

    # pyarrow.dataset on the folder (Hive partitioning; _ and . prefixed names ignored).
    dataset = ds.dataset(table_dir, format="parquet", partitioning="hive")
    unified = pa.unify_schemas([fragment.physical_schema for fragment in dataset.get_fragments()] + [dataset.partitioning.schema])
    t = ds.dataset(table_dir, format="parquet", partitioning="hive", schema=unified).to_table()
    out["engines"]["pyarrow_dataset"] = {"rows": rows_of(t), "types": {f.name: str(f.type) for f in t.schema}}

    # polars on the log's files.
    frames = []
    for path, pv in sorted(paths.items()):
        f = pl.read_parquet(path)
        for col in partition_columns:
            f = f.with_columns(pl.lit(typed_partition(pv.get(col), fields[col])).alias(col))
        frames.append(f)
    if frames:
        f = pl.concat(frames, how="diagonal_relaxed")
        out["engines"]["polars_log"] = {"rows": rows_of(f.to_arrow()), "types": {k: str(v) for k, v in f.schema.items()}}

    # DuckDB on the folder, with hive partitioning, as users query it.
    con = duckdb.connect()
    glob = os.path.join(table_dir, *(["*"] * len(partition_columns)), "*.parquet")
    rel = con.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true)")
    arrow = rel.arrow()
    if hasattr(arrow, "read_all"):
        arrow = arrow.read_all()
    out["engines"]["duckdb_folder"] = {"rows": rows_of(arrow), "types": dict(zip(rel.columns, [str(t) for t in rel.types]))}
    return out


def main():
    root, names = sys.argv[1], sys.argv[2:]
    print(json.dumps({name: read_table(root, name) for name in names}))


main()
