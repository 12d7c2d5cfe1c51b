"""Read only the rows a run needs: a seeded random sample or the first N, needed columns only.

Parquet: the footers give each row group's size, so the sample is drawn over the whole
split first and then only the row groups holding sampled rows are read, and of those
only the mapped columns (pre_buffer off, so nothing is read ahead). JSON lines, CSV and
arrow files are read whole (they have no row index), then sampled the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tracker.errors import UsageError
from tracker.verify import card as cards
from tracker.verify.sources import SplitFiles


@dataclass
class Rows:
    rows: list[dict[str, Any]]
    indices: list[int]  # positions in the split, ascending
    total: int  # rows in the whole split
    label_names: dict[str, list[str]]
    bytes_read: int
    seconds: float
    columns: list[str] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return len(self.rows) < self.total


def choose_indices(total: int, samples: int | None, *, seed: int, first: bool) -> list[int]:
    """samples=None means every row. The same seed always gives the same rows."""
    if samples is None or samples >= total:
        return list(range(total))
    if first:
        return list(range(samples))
    rng = np.random.default_rng(seed)
    return sorted(int(i) for i in rng.choice(total, size=samples, replace=False))


class Split:
    """An opened split: its columns and size known, its rows not read yet."""

    def __init__(self, files: SplitFiles) -> None:
        self.files = files
        self._parquet: list[Any] = []
        self._table: Any = None
        self.label_names = dict(files.label_names)
        start = time.perf_counter()
        if files.kind == "parquet":
            self._open_parquet()
        else:
            self._table = _read_whole(files)
        self.open_seconds = time.perf_counter() - start

    def _open_parquet(self) -> None:
        import pyarrow.parquet as pq

        for path in self.files.files:
            parquet = pq.ParquetFile(self.files.opened(path), pre_buffer=False)
            self._parquet.append(parquet)
            found = cards.parquet_label_names(parquet.schema_arrow.metadata)
            # The card wins when the two disagree.
            self.label_names = {**found, **self.label_names}

    @property
    def columns(self) -> list[str]:
        if self._table is not None:
            return list(self._table.column_names)
        return list(self._parquet[0].schema_arrow.names) if self._parquet else []

    @property
    def total(self) -> int:
        if self._table is not None:
            return int(self._table.num_rows)
        return sum(p.metadata.num_rows for p in self._parquet)

    def read(
        self, columns: list[str], samples: int | None, *, seed: int, first: bool = False
    ) -> Rows:
        start = time.perf_counter()
        indices = choose_indices(self.total, samples, seed=seed, first=first)
        if self._table is not None:
            rows = self._table.select(columns).take(indices).to_pylist()
        else:
            rows = self._read_parquet(columns, indices)
        return Rows(
            rows=rows,
            indices=indices,
            total=self.total,
            label_names=self.label_names,
            bytes_read=self.files.bytes_read[0],
            seconds=self.open_seconds + time.perf_counter() - start,
            columns=self.columns,
        )

    def _read_parquet(self, columns: list[str], indices: list[int]) -> list[dict[str, Any]]:
        wanted = np.asarray(indices, dtype=np.int64)
        rows: list[dict[str, Any]] = []
        offset = 0
        for parquet in self._parquet:
            for group in range(parquet.metadata.num_row_groups):
                size = parquet.metadata.row_group(group).num_rows
                inside = wanted[(wanted >= offset) & (wanted < offset + size)] - offset
                if len(inside):
                    table = parquet.read_row_group(group, columns=columns)
                    rows += table.take(inside).to_pylist()
                offset += size
        return rows


def _read_whole(files: SplitFiles) -> Any:
    import pyarrow as pa

    if files.kind == "imagefolder":
        names = files.label_names["label"]
        return pa.table(
            {
                "image": files.files,
                "label": [names.index(Path(path).parent.name) for path in files.files],
            }
        )

    tables = []
    for path in files.files:
        with files.opened(path) as handle:
            if files.kind == "arrow":
                tables.append(pa.ipc.open_stream(handle).read_all())
            elif files.kind == "csv":
                import pyarrow.csv

                tables.append(pyarrow.csv.read_csv(handle))
            else:
                tables.append(_read_json_lines(path, handle.read()))
    return pa.concat_tables(tables, promote_options="default") if tables else pa.table({})


def _read_json_lines(path: str, data: bytes) -> Any:
    import pyarrow as pa
    import pyarrow.json

    text = data.lstrip()
    if text.startswith(b"["):  # a JSON array rather than JSON lines
        import json

        return pa.Table.from_pylist(json.loads(text))
    try:
        return pyarrow.json.read_json(pa.BufferReader(data))
    except pa.ArrowInvalid as exc:
        raise UsageError(f"{path}: not JSON lines: {str(exc).splitlines()[0]}") from exc
