"""Benchmark of the Excel ledger engine on the parcel ledger, against django-import-export.

Install the yardstick first (a development-only dependency, never in requirements.txt):
    .venv/bin/pip install -r bench/requirements.txt
Run (any PostgreSQL DATABASE_URL: a throw-away test database is created and dropped):
    DATABASE_URL=postgres://county:county@127.0.0.1:5432/county \\
    .venv/bin/python bench/ledger_import.py [--rounds 3] [--skip-memory]

Prints, for the 2,791-row sample and a generated 17,555-row ledger (deterministic, with the
quirks real files have: 亩 typed after numbers, full-width digits, dates written as text,
blank lines, a 合计 row):
- python-calamine's bare read of the file, the yardstick of the imports;
- preview (a dry run of the first import), first import, unchanged re-import, changed
  re-import (10% of the rows), export: wall time, CPU time of this process, queries (COPY
  statements counted), peak memory (the rise of the process's resident set, VmHWM);
- openpyxl's bare write-only dump of the same cells, the yardstick of the export;
- our first import against django-import-export 4.4.3 in its fastest documented
  configuration (bench/iex_parcels.py), alternating ours and theirs, the minimum of each
  over ``--rounds`` rounds, and the ratio;
- the peak memory of an export of 1,000 and of 100,000 generated parcels, each measured
  in a fresh process.
The machine may be shared: the ratios are taken in one run, alternating.
"""

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county.settings")

import django  # noqa: E402

django.setup()

import python_calamine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from tests.county.ledger_files import (  # noqa: E402
    PARCEL_SAMPLE,
    _sample_parcel_rows,
    changed_parcel_rows,
    generated_parcel_rows,
    parcel_ledger,
)

GENERATED = 17_555
MEMORY_SIZES = (1_000, 100_000)


# ---- measuring -----------------------------------------------------------------------
def _proc_status():
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    return {k: int(re.search(rf"{k}:\s+(\d+)", text)[1]) for k in ("VmRSS", "VmHWM")}


def _reset_peak():
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM back to VmRSS
    except OSError:
        pass


class Measure:
    """Wall time, CPU time, queries and peak memory rise (MB) of one call."""

    def __init__(self, function, count_queries=True):
        _reset_peak()
        before = _proc_status()
        start, cpu = time.perf_counter(), time.process_time()
        if count_queries:
            with CaptureQueriesContext(connection) as captured:
                self.result = function()
            self.queries = len(captured)
        else:
            self.result = function()
            self.queries = None
        self.seconds = time.perf_counter() - start
        self.cpu = time.process_time() - cpu
        after = _proc_status()
        self.memory = (after["VmHWM"] - before["VmRSS"]) / 1024 if before and after else None


def _fmt(value, unit="", digits=2):
    return "—" if value is None else f"{value:.{digits}f}{unit}"


def _header(*columns):
    print("| " + " | ".join(f"{name:<{width}}" for name, width in columns) + " |")
    print("|" + "|".join("-" * (width + 2) for _, width in columns) + "|")


def _row(label, measure, ratio=""):
    queries = "—" if measure.queries is None else str(measure.queries)
    print(
        f"| {label:<28} | {_fmt(measure.seconds, ' s'):>9} | {_fmt(measure.cpu, ' s'):>9} "
        f"| {queries:>7} | {_fmt(measure.memory, ' MB', 1):>9} | {ratio:<24} |",
        flush=True,
    )


# ---- the steps ---------------------------------------------------------------------------
def clear_parcels():
    """An empty parcel table (and history), fresh storage: every run starts alike."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE abandoned_land_parcel, abandoned_land_historicalparcel "
            "RESTART IDENTITY CASCADE"
        )


def calamine_read(data):
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return len(book.get_sheet_by_index(0).to_python(skip_empty_area=False))


def bare_dump(rows):
    """openpyxl's write-only mode writing ``rows`` (values only, no styles) to a file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)


def export_to_file(ledger, queryset):
    with tempfile.TemporaryFile() as handle:
        ledger.export_to(queryset, handle)
        return handle.tell()


def measure_size(label, data, changed):
    from abandoned_land.models import Parcel
    from county.ledger.writer import cell_value
    from county.registry import registry

    ledger = registry.get("abandoned_land").ledger
    print(f"\n### {label}\n")
    _header(("step", 28), ("wall", 9), ("CPU", 9), ("queries", 7), ("peak mem", 9), ("ratio", 24))
    read = Measure(lambda: calamine_read(data), count_queries=False)
    _row("python-calamine read", read)
    clear_parcels()
    preview = Measure(lambda: ledger.run_import(data, dry_run=True))
    assert preview.result.ok and not Parcel.objects.exists()
    _row("preview (dry run)", preview, f"{preview.seconds / read.seconds:.1f}× the read")
    first = Measure(lambda: ledger.run_import(data))
    assert first.result.ok, [str(e) for e in first.result.errors[:3]]
    created = first.result.counts["created"]
    _row(f"first import ({created})", first, f"{first.seconds / read.seconds:.1f}× the read")
    again = Measure(lambda: ledger.run_import(data))
    assert again.result.counts["unchanged"] == created
    _row("unchanged re-import", again, f"{again.seconds / read.seconds:.1f}× the read")
    edited = Measure(lambda: ledger.run_import(changed))
    updated = edited.result.counts["updated"]
    _row(f"changed re-import ({updated})", edited, f"{edited.seconds / read.seconds:.1f}× the read")
    queryset = Parcel.objects.all()
    cells = [[cell_value(item.get(c.key)) for c in ledger.columns]
             for item in ledger.export_rows(queryset)]  # fmt: skip
    dump = Measure(lambda: bare_dump(cells), count_queries=False)
    export = Measure(lambda: export_to_file(ledger, queryset))
    _row("export (formatted)", export, f"{export.seconds / dump.seconds:.2f}× the bare dump")
    _row("openpyxl write-only dump", dump)
    return first, read


def compare(label, data, rounds):
    """Ours and django-import-export, alternating, into an empty table each time."""
    from abandoned_land.models import Parcel
    from bench.iex_parcels import iex_import
    from county.registry import registry

    ledger = registry.get("abandoned_land").ledger
    ours, theirs = [], []
    for _ in range(rounds):
        clear_parcels()
        start = time.perf_counter()
        assert ledger.run_import(data).ok
        ours.append(time.perf_counter() - start)
        count = Parcel.objects.count()
        clear_parcels()
        start = time.perf_counter()
        iex_import(data)
        theirs.append(time.perf_counter() - start)
        assert Parcel.objects.count() == count
    ratio = min(theirs) / min(ours)
    print(
        f"| {label:<22} | {' '.join(f'{t:.2f}' for t in ours):<22} | "
        f"{' '.join(f'{t:.2f}' for t in theirs):<22} | {min(ours):>6.2f} s | "
        f"{min(theirs):>6.2f} s | {ratio:>5.2f}× |",
        flush=True,
    )
    return ratio


def export_memory(database_name, size):
    """The peak memory rise of exporting the first ``size`` parcels, in a fresh process."""
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database_name}").geturl()
    result = subprocess.run(
        [sys.executable, __file__, "--export-memory", str(size)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _child_export_memory(size):
    from abandoned_land.models import Parcel
    from county.registry import registry

    ledger = registry.get("abandoned_land").ledger
    last = Parcel.objects.order_by("pk").values_list("pk", flat=True)[size - 1]
    queryset = Parcel.objects.filter(pk__lte=last)
    export_to_file(ledger, Parcel.objects.none())  # every module and style loaded first
    measure = Measure(lambda: export_to_file(ledger, queryset), count_queries=False)
    print(json.dumps({"mb": measure.memory, "seconds": measure.seconds, "bytes": measure.result}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--export-memory", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.export_memory:
        _child_export_memory(options.export_memory)
        return
    if connection.vendor != "postgresql":
        sys.exit("The bench runs on PostgreSQL: set DATABASE_URL=postgres://…")
    print(f"database: PostgreSQL {connection.pg_version}; load average {os.getloadavg()}")
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = f"bench_{connection.settings_dict['NAME']}"  # never pytest's database
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(DEBUG=False):
            call_command("load_demo", "--no-accounts", stdout=io.StringIO())
        _, sample_rows = _sample_parcel_rows()
        sample = PARCEL_SAMPLE.read_bytes()
        sample_changed = parcel_ledger(changed_parcel_rows(sample_rows), blank_every=0)
        generated_rows = generated_parcel_rows(GENERATED)
        generated = parcel_ledger(generated_rows)
        generated_changed = parcel_ledger(changed_parcel_rows(generated_rows))
        measure_size("sample: 2,791 rows (tests/data/abandoned_land_ledger.xlsx)", sample,
                     sample_changed)  # fmt: skip
        measure_size(f"generated: {GENERATED:,} rows", generated, generated_changed)

        print(f"\n### first import against django-import-export 4.4.3 ({options.rounds} rounds,"
              " alternating; minimum of each)\n")  # fmt: skip
        _header(("file", 22), ("ours (s)", 22), ("theirs (s)", 22), ("ours", 8), ("theirs", 8),
                ("ratio", 6))  # fmt: skip
        compare("sample, 2,791 rows", sample, options.rounds)
        compare(f"generated, {GENERATED:,} rows", generated, options.rounds)

        if not options.skip_memory:
            from county.registry import registry

            print(f"\n### export memory ({' and '.join(f'{n:,}' for n in MEMORY_SIZES)}"
                  " generated parcels, each in a fresh process)\n")  # fmt: skip
            clear_parcels()
            big = parcel_ledger(generated_parcel_rows(MEMORY_SIZES[-1], seed=1))
            ledger = registry.get("abandoned_land").ledger
            loaded = Measure(lambda: ledger.run_import(big))
            print(f"(import of {MEMORY_SIZES[-1]:,} parcels: {loaded.seconds:.1f} s, "
                  f"{loaded.queries} queries)\n")  # fmt: skip
            results = {size: export_memory(name, size) for size in MEMORY_SIZES}
            _header(("parcels", 9), ("export (s)", 10), ("file (KB)", 9), ("peak memory rise", 16))
            for size, result in results.items():
                print(f"| {size:>9,} | {result['seconds']:>10.2f} | {result['bytes'] // 1024:>9,} "
                      f"| {result['mb']:>13.1f} MB |")  # fmt: skip
            small, large = (results[n]["mb"] for n in MEMORY_SIZES)
            print(f"\n{MEMORY_SIZES[-1]:,} parcels take {large / small:.2f}× the memory of "
                  f"{MEMORY_SIZES[0]:,}.")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
