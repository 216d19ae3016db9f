"""What intake costs: validation of clean tables against the same tables in people's words.

Usage::

    python benchmarks/bench_intake.py [--sizes 100000x20000 ...] [--repeat 3] [--out PATH]
                                      [--before SRC]

For each size, ``synthetic_cohort(n, m, seed=0)`` gives the clean tables (crossmatch's
own headers and values). The *messy* tables are the same people as a programme office
writes them: every schema header renamed (``Mentee ID``, ``How often?``, ``Can help
with`` ... mapped back with ``columns=``), and each distinct value written in one of
several spellings of the same meaning (drawn per value, so each column mixes them):
sectors ``Local Government``/``local_government``, availability as sentences (``Monday
mornings, Wednesday afternoons``), modes and cadences as phrases (``Face to face``,
``every two weeks``), goals comma- or line-separated in title case, organisations and
regions in other cases, ids with spaces. Both give the same cohort (checked here; and
tests/test_intake.py checks that such tables score the same).

Rows: ``Cohort.from_frames`` on the clean frames (the baseline) and on the messy frames,
then both written to CSV and read with ``Cohort.from_csv`` (the messy CSV in cp1252 with
``;``). The machine is shared and noisy, so each of the four is run ``--repeat`` times,
interleaved run by run (the order reversed every other round, so a slow spell falls on
clean and messy alike), each run after ``gc.collect()`` (so no run pays for the garbage
of the one before); the table gives the *median* CPU time (``time.process_time``: the
work done, least disturbed by other processes) and the median wall time of each, the
messy/clean ratios of both (the median of run-by-run ratios, each messy run against the
clean run beside it in time), and whether the CPU ratio is under the target
(``--target``, 1.10: intake adds under 10%). The messy CSV files are larger than the
clean ones (sentences are longer than slot codes; bytes in the JSON), so pandas' own
parse of them is timed too, and one more row gives ``from_csv`` less that parse on both
sides: what intake itself adds. All frames go through a pickle round trip
first, so their strings lie in memory in row order as a reader leaves them. ``--before
SRC`` adds the clean frames timed with another checkout's code (e.g. ``/work/main/src``)
in a subprocess, for reference; with ``--before-messy`` the messy frames and both pairs
of files with ``from_csv`` too (that code must have intake), interleaved as here, so a
change to intake is measured against the code before it in one run (that code's own
messy/clean ratios). The JSON has every run's times as well as the medians.
Results go to ``benchmarks/results/intake.json``.
"""

from __future__ import annotations

import argparse
import ast
import gc
import io
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import crossmatch as cm

HERE = Path(__file__).resolve().parent
#: The issue's target: intake adds under 10% to validation time (messy/clean CPU ratio).
TARGET = 1.10
DAY = dict(
    zip(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        strict=True,
    )
)
PERIOD = {"am": "mornings", "pm": "afternoons", "eve": "evenings"}
MODE = {
    "in-person": ["Face to face", "In person", "in-person"],
    "remote": ["Online", "Virtual", "remote"],
    "either": ["Hybrid", "No preference", "either"],
}
CADENCE = {
    "weekly": ["every week", "Weekly", "once a week"],
    "fortnightly": ["every two weeks", "Biweekly", "fortnightly"],
    "monthly": ["once a month", "Monthly", "monthly"],
}
HEADERS = {
    "id": "{side} ID",
    "organisation": "Organisation",
    "sector": "Sector",
    "availability": "When are you available?",
    "cadence": "How often?",
    "mode": "Face to face or online?",
    "region": "Where are you based?",
    "seniority": "Grade",
    "goals": "What would you like help with?",
    "expertise": "Can help with",
    "capacity": "Max mentees",
    "learning": "Sectors to learn from",
    "exclude": "Do not match with",
}


def _sentence(slots: str) -> str:
    return ", ".join(f"{DAY[s[:3]]} {PERIOD[s[4:]]}" for s in slots.split(";"))


def _variants(series: pd.Series, make, rng: np.random.Generator) -> pd.Series:
    """Each distinct value replaced by one of the spellings ``make(value)`` of its meaning.

    One spelling per value, as one export writes a value the same way every time (so the
    messy table has as many distinct values as the clean one); which spelling is drawn
    per value, so every column mixes them.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    options = [make(u) for u in uniques]
    pick = rng.integers(0, 3, size=len(uniques))
    table = np.empty(len(uniques) + 1, dtype=object)
    for k, opts in enumerate(options):
        table[k] = opts[pick[k] % len(opts)]
    table[-1] = None
    return pd.Series(table[codes], index=series.index)


def messy(df: pd.DataFrame, side: str, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    out = df.copy()
    out["sector"] = _variants(
        df["sector"], lambda s: [s, s.replace("-", " ").title(), s.replace("-", "_")], rng
    )
    out["availability"] = _variants(
        df["availability"], lambda a: [_sentence(a), _sentence(a).lower(), _sentence(a)], rng
    )
    out["mode"] = _variants(df["mode"], lambda m: MODE[m], rng)
    out["cadence"] = _variants(df["cadence"], lambda c: CADENCE[c], rng)
    out["region"] = _variants(df["region"], lambda r: [r, r.title(), r.upper()], rng)
    out["organisation"] = _variants(
        df["organisation"], lambda o: [o, o.upper(), f" {o.lower()} "], rng
    )
    col = "goals" if side == "mentees" else "expertise"
    out[col] = _variants(
        df[col], lambda g: [g, g.replace(";", ", "), g.title().replace(";", "\n")], rng
    )
    out["id"] = _variants(df["id"], lambda i: [i, f" {i} ", f"{i} "], rng)
    names = {c: HEADERS[c].format(side=side[:-1].title()) for c in df.columns if c in HEADERS}
    return out.rename(columns=names), {v: k for k, v in names.items()}


def measure(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, dict[str, Any]]:
    """Every run's wall and CPU seconds of each function and their medians.

    The functions are interleaved run by run, in reverse order every other round (so a
    slow spell of a shared machine falls on all of them alike), each run after a full
    garbage collection (so no run pays for the garbage of the one before)."""
    runs: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in fns}
    names = list(fns)
    for r in range(repeat):
        for name in names if r % 2 == 0 else names[::-1]:
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            fns[name]()
            runs[name]["wall"].append(time.perf_counter() - t0)
            runs[name]["cpu"].append(time.process_time() - c0)
    return {
        k: {
            "wall": float(np.median(v["wall"])),
            "cpu": float(np.median(v["cpu"])),
            "best_cpu": min(v["cpu"]),
            "runs_wall": v["wall"],
            "runs_cpu": v["cpu"],
        }
        for k, v in runs.items()
    }


BEFORE = """
import gc, pickle, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import crossmatch as cm
ee, mr, mee, mmr, columns = pickle.load(open(sys.argv[2], "rb"))
t = Path(sys.argv[5])
fns = {"frames clean": lambda: cm.Cohort.from_frames(ee, mr)}
if sys.argv[4] == "messy":
    fns["frames messy"] = lambda: cm.Cohort.from_frames(mee, mmr, columns=columns)
    fns["csv clean"] = lambda: cm.Cohort.from_csv(t / "ee.csv", t / "mr.csv")
    fns["csv messy"] = lambda: cm.Cohort.from_csv(t / "mee.csv", t / "mmr.csv", columns=columns)
runs = {k: ([], []) for k in fns}
names = list(fns)
for r in range(int(sys.argv[3])):
    for name in names if r % 2 == 0 else names[::-1]:
        gc.collect(); c0, t0 = time.process_time(), time.perf_counter()
        fns[name]()
        wall, cpu = runs[name]
        wall.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
print(repr(runs))
"""


FILES = {"clean": ("ee.csv", "mr.csv"), "messy": ("mee.csv", "mmr.csv")}


def _parse(path: Path, sep: str) -> pd.DataFrame:
    """pandas' parse of a file as crossmatch's reader calls it: the bytes read, then
    parsed from memory, every cell as text."""
    data = path.read_bytes()
    return pd.read_csv(io.BytesIO(data), sep=sep, header=None, dtype=str, keep_default_na=True)


def _paired(runs: list[float], base: list[float]) -> float:
    """The median of run-by-run ratios: each run against the baseline run next to it in
    time, so a busy spell of the machine cancels out instead of landing on one side."""
    return float(np.median([a / b for a, b in zip(runs, base, strict=True)]))


def run(
    n: int,
    m: int,
    repeat: int,
    before: str | None,
    before_messy: bool = False,
    target: float = TARGET,
) -> list[dict]:
    rng = np.random.default_rng(0)
    ee, mr = cm.synthetic_cohort(n, m, seed=0)
    mee, ee_cols = messy(ee, "mentees", rng)
    mmr, mr_cols = messy(mr, "mentors", rng)
    columns = {"mentees": ee_cols, "mentors": mr_cols}
    # all four frames laid out as a reader leaves them, each table's strings in memory in
    # row order (as the --before subprocess gets them, from a pickle): made from shared
    # spellings, the messy frames would point all over memory, which costs more than
    # intake itself (a cost of how this script makes them, not of intake)
    ee, mr, mee, mmr = pickle.loads(pickle.dumps((ee, mr, mee, mmr)))
    a = cm.Cohort.from_frames(ee, mr)
    b = cm.Cohort.from_frames(mee, mmr, columns=columns)
    assert a.goals == b.goals and np.array_equal(a.mentee_slots, b.mentee_slots)
    assert np.array_equal(a.mentee_org, b.mentee_org) and np.array_equal(a.capacity, b.capacity)
    assert np.array_equal(a.mentee_ids, b.mentee_ids) and np.array_equal(
        a.excluded_pairs, b.excluded_pairs
    )
    rows = []
    size = f"{n:,}x{m:,}"
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        ee.to_csv(t / "ee.csv", index=False)
        mr.to_csv(t / "mr.csv", index=False)
        mee.to_csv(t / "mee.csv", index=False, sep=";", encoding="cp1252", errors="replace")
        mmr.to_csv(t / "mmr.csv", index=False, sep=";", encoding="cp1252", errors="replace")
        s = measure(
            {
                "frames clean": lambda: cm.Cohort.from_frames(ee, mr),
                "frames messy": lambda: cm.Cohort.from_frames(mee, mmr, columns=columns),
                "csv clean": lambda: cm.Cohort.from_csv(t / "ee.csv", t / "mr.csv"),
                "csv messy": lambda: cm.Cohort.from_csv(
                    t / "mee.csv", t / "mmr.csv", columns=columns
                ),
                # pandas' own parse of the same files (the messy ones are larger: sentences
                # are longer than slot codes), to show what intake adds on top of it
                "parse clean": lambda: [_parse(t / f, ",") for f in ("ee.csv", "mr.csv")],
                "parse messy": lambda: [_parse(t / f, ";") for f in ("mee.csv", "mmr.csv")],
            },
            repeat,
        )
        nbytes = {k: sum((t / f).stat().st_size for f in fs) for k, fs in FILES.items()}
        for path, key in (("from_frames", "frames"), ("from_csv", "csv")):
            base = s[f"{key} clean"]
            for kind, label in (("clean", "clean"), ("messy", "messy")):
                got = s[f"{key} {kind}"]
                if kind == "messy" and key == "csv":
                    label = "messy (cp1252, ;)"
                ratio = _paired(got["runs_cpu"], base["runs_cpu"])
                rows.append(
                    dict(
                        size=size,
                        path=path,
                        input=label,
                        repeat=repeat,
                        wall=got["wall"],
                        wall_ratio=_paired(got["runs_wall"], base["runs_wall"]),
                        cpu=got["cpu"],
                        cpu_ratio=ratio,
                        cpu_ratio_of_medians=got["cpu"] / base["cpu"],
                        target=target,
                        under_target=bool(ratio < target),
                        file_bytes=nbytes[kind] if key == "csv" else None,
                        runs_wall=got["runs_wall"],
                        runs_cpu=got["runs_cpu"],
                    )
                )
        # from_csv less pandas' parse of the files: what intake itself adds
        less = {
            kind: [
                a - b
                for a, b in zip(
                    s[f"csv {kind}"]["runs_cpu"], s[f"parse {kind}"]["runs_cpu"], strict=True
                )
            ]
            for kind in ("clean", "messy")
        }
        ratio = _paired(less["messy"], less["clean"])
        rows.append(
            dict(
                size=size,
                path="from_csv",
                input="messy, less pandas' parse",
                repeat=repeat,
                wall=float("nan"),
                wall_ratio=float("nan"),
                cpu=float(np.median(less["messy"])),
                cpu_ratio=ratio,
                target=target,
                under_target=bool(ratio < target),
                parse_cpu={k: s[f"parse {k}"]["cpu"] for k in ("clean", "messy")},
                note="from_csv's CPU time less pandas.read_csv of the same files, both sides",
            )
        )
        if before:
            pd.to_pickle((ee, mr, mee, mmr, columns), t / "frames.pkl")
            # the messy frames and files too when that code has intake (``columns=``)
            kind = "messy" if before_messy else "clean"
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    BEFORE,
                    before,
                    str(t / "frames.pkl"),
                    str(repeat),
                    kind,
                    str(t),
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": before},
            )
            found = ast.literal_eval(out.stdout.strip().splitlines()[-1])
            for key, path in (("frames", "from_frames"), ("csv", "from_csv")):
                if f"{key} clean" not in found:
                    continue
                base_wall, base_cpu = found[f"{key} clean"]
                for kind in ("clean", "messy"):
                    if f"{key} {kind}" not in found:
                        continue
                    wall, cpu = found[f"{key} {kind}"]
                    rows.append(
                        dict(
                            size=size,
                            path=path,
                            input=f"{kind}, code of {before}",
                            repeat=repeat,
                            wall=float(np.median(wall)),
                            wall_ratio=_paired(wall, base_wall),
                            cpu=float(np.median(cpu)),
                            cpu_ratio=_paired(cpu, base_cpu),
                            runs_wall=wall,
                            runs_cpu=cpu,
                            note=f"ratios against that code's clean {key}",
                        )
                    )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", nargs="+", default=["100000x20000"])
    p.add_argument("--repeat", type=int, default=11, help="runs of each (median taken)")
    p.add_argument("--target", type=float, default=TARGET, help="messy/clean CPU ratio")
    p.add_argument("--before", default=None, help="another checkout's src/, for reference")
    p.add_argument(
        "--before-messy",
        action="store_true",
        help="time the messy frames with --before's code too (it must have intake)",
    )
    p.add_argument("--out", type=Path, default=HERE / "results" / "intake.json")
    args = p.parse_args(argv)
    rows = []
    for spec in args.sizes:
        n, m = (int(x) for x in spec.lower().split("x"))
        rows += run(n, m, args.repeat, args.before, args.before_messy, args.target)
    print(
        f"{args.repeat} interleaved runs: seconds are medians, ratios the median of run-by-run "
        f"ratios; target: messy/clean CPU ratio < {args.target:.2f}"
    )
    print(
        f"{'size':>15}  {'path':<12} {'input':<36} {'cpu s':>7} {'ratio':>6} "
        f"{'wall s':>7} {'ratio':>6}  {'vs target':<9}"
    )
    for r in rows:
        verdict = ("under" if r["under_target"] else "OVER") if "under_target" in r else r["note"]
        if r["input"] == "clean":
            verdict = "(baseline)"
        print(
            f"{r['size']:>15}  {r['path']:<12} {r['input']:<36} {r['cpu']:>7.3f} "
            f"{r['cpu_ratio']:>6.3f} {r['wall']:>7.3f} {r['wall_ratio']:>6.3f}  {verdict}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"target": args.target, "repeat": args.repeat, "statistic": "median", "rows": rows}
    args.out.write_text(json.dumps(doc, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
