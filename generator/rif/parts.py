"""One shard's RIF rows written to part files, and the parts of all shards put together in shard order.

A worker writes one part per table (`<shard>.rif-<table>.csv|.parquet` beside the NDJSON parts); shard 0's text
parts open with the header row, so the parent appends text parts in shard order exactly as it appends NDJSON.
Parquet cannot be appended to: its parts are kept until every shard is done, then each table's file is written
from their row groups in shard order. A part's row groups are cut every `BATCH_ROWS` rows of the shard, so the
bytes depend on the shard only, never on the number of workers.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from generator.claim_types import TYPES
from generator.errors import UserError
from generator.model.records import Claim, Insured

from . import FORMATS, RIF_DIR, TABLES
from .beneficiary import bene_rows
from .columns import claim_context, layout, line_context

BATCH_ROWS = 50_000
SEPARATOR = "|"


def require(fmt: str) -> None:
    """Refuse, in one line, a format this installation cannot write."""
    if fmt not in FORMATS:
        raise UserError(f"unknown RIF format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise UserError("--rif-format parquet needs pyarrow: pip install 'medisynth[parquet]' "
                            "(or use --rif-format csv)") from None


def outputs(fmt: str) -> list[tuple[str, str]]:
    """(part name, file name under the dataset) of each table, in TABLES order."""
    return [(f"rif-{name}{FORMATS[fmt]}", f"{RIF_DIR}/{name}{FORMATS[fmt]}") for name in TABLES]


class ShardRif:
    """The RIF rows of one shard, person by person, into one writer per table."""

    def __init__(self, fmt: str, header: bool, open_part):
        """`open_part(part name)` returns the binary file of the shard's part; `header`: write the text header."""
        self.counts = dict.fromkeys(TABLES, 0)
        writer = _TextTable if fmt == "csv" else _ParquetTable
        self.tables = {name: writer(layout(name), open_part(part), header)
                       for name, (part, _) in zip(TABLES, outputs(fmt))}

    def add(self, insured: Insured, claims: list[Claim]) -> None:
        bene_table = self.tables["beneficiary"]
        for row in bene_rows(insured.bene, claims):
            bene_table.add([column.get(row) for column in bene_table.layout.head], [[]])
        for claim in claims:
            spec = TYPES[claim["type"]]
            writer = self.tables[spec.name]
            head_ctx = claim_context(spec, claim)
            line_columns = writer.layout.lines
            writer.add([column.get(head_ctx) for column in writer.layout.head],
                       [[column.get(ctx) for column in line_columns]
                        for ctx in (line_context(spec, head_ctx, line, number)
                                    for number, line in enumerate(claim["lines"], 1))])

    def close(self) -> dict[str, int]:
        """Finish every part; returns the rows per table."""
        for name, writer in self.tables.items():
            self.counts[name] = writer.close()
        return self.counts


class _TextTable:
    """Pipe-delimited rows as CCW writes them."""

    def __init__(self, table_layout, f: BinaryIO, header: bool):
        self.layout, self.f, self.rows = table_layout, f, 0
        self.head = [column.text for column in table_layout.head]
        self.lines = [column.text for column in table_layout.lines]
        if header:
            f.write((SEPARATOR.join(column.name for column in table_layout.columns) + "\n").encode())

    def add(self, head: list, lines: list[list]) -> None:
        """A claim's rows (a beneficiary-year's one row): its columns written once, then each line's."""
        self.rows += len(lines)
        text = SEPARATOR.join([fmt(v) for fmt, v in zip(self.head, head)])
        if self.lines:
            text += SEPARATOR
        fmts = self.lines
        self.f.write("".join([text + SEPARATOR.join([fmt(v) for fmt, v in zip(fmts, line)]) + "\n"
                              for line in lines]).encode())

    def close(self) -> int:
        self.f.close()
        return self.rows


class _ParquetTable:
    """Typed columns, a row group every BATCH_ROWS rows."""

    def __init__(self, table_layout, f: BinaryIO, header: bool):
        import pyarrow as pa
        import pyarrow.parquet as pq
        self.pa, self.layout, self.f, self.rows = pa, table_layout, f, 0
        self.schema = schema(table_layout)
        self.writer = pq.ParquetWriter(f, self.schema)
        self.typed = [_typed(column.format, column.text) for column in table_layout.columns]
        self.batch: list[list] = [[] for _ in table_layout.columns]

    def add(self, head: list, lines: list[list]) -> None:
        """A claim's rows (a beneficiary-year's one row): its columns repeated on each line's row."""
        width = len(head)
        for column, convert, value in zip(self.batch, self.typed, head):
            column.extend([convert(value)] * len(lines))
        for line in lines:
            self.rows += 1
            for column, convert, value in zip(self.batch[width:], self.typed[width:], line):
                column.append(convert(value))
        if len(self.batch[0]) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        pa = self.pa
        arrays = [pa.array(values, type=pa.string()).cast(field.type) if field.type == pa.date32()
                  else pa.array(values, type=field.type) for values, field in zip(self.batch, self.schema)]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.batch = [[] for _ in self.batch]

    def close(self) -> int:
        if self.batch[0] or not self.rows:
            self._flush()
        self.writer.close()
        self.f.close()
        return self.rows


def schema(table_layout):
    """The Arrow schema of a table: one typed, nullable field per column."""
    import pyarrow as pa
    return pa.schema([(column.name, getattr(pa, column.arrow)()) for column in table_layout.columns])


def _typed(fmt: str, text):
    """The converter of a raw value to its Parquet value: numbers as numbers, dates as ISO text (cast to date32),
    other values as CCW's text; absent values (and empty text) as null."""
    if fmt in ("amount", "number"):
        return lambda v: None if v is None else float(v) + 0.0
    if fmt == "int":
        return lambda v: None if v is None else int(v)
    if fmt == "date":
        return lambda v: v or None
    return lambda v: text(v) or None


def merge_parquet(dst: BinaryIO, sources: Iterable[BinaryIO]) -> None:
    """Write the row groups of the parts `sources` (one table's, in shard order) into one Parquet file `dst`."""
    import pyarrow.parquet as pq
    writer = None
    for src in sources:
        with src:
            part = pq.ParquetFile(src)
            writer = writer or pq.ParquetWriter(dst, part.schema_arrow)
            for group in range(part.num_row_groups):
                writer.write_table(part.read_row_group(group))
    if writer is not None:
        writer.close()
