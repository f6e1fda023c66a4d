"""Run the benchmarks in bench/ and rewrite BENCHMARKS.md.

    python -m bench.run                 # every bench/bench_*.py, full size      (make bench)
    python -m bench.run --quick         # reduced sizes, a few minutes in all    (make bench-quick)
    python -m bench.run --only import   # one benchmark (bench/bench_import.py)

A module with `IN_QUICK = False` (bench_nation: ~10 minutes of seeding) is left out of --quick.

Each module bench/bench_NAME.py has `run(quick: bool) -> dict` returning
{"title", "command", "figures": [{"name", "value", "unit", "target", "ok"}], "notes"}. A run
replaces that benchmark's section of BENCHMARKS.md and keeps the sections of benchmarks not run.
"""

import argparse
import importlib
import os
import pkgutil
import platform
import re
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

import psutil

BENCH_DIR = Path(__file__).resolve().parent
OUTPUT = BENCH_DIR.parent / "BENCHMARKS.md"
SECTION = re.compile(r"<!-- bench:(?P<name>[\w-]+) -->\n.*?<!-- /bench:(?P=name) -->\n", re.S)


def discover() -> list[str]:
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules([str(BENCH_DIR)])
                  if m.name.startswith("bench_"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    return {
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "RAM": f"{psutil.virtual_memory().total / 1024**3:.1f} GiB",
        "Python": platform.python_version(),
        "OS": platform.platform(),
        "load before the run": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _value(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def section(name: str, result: dict, *, quick: bool, seconds: float, when: str, load: float = 0.0) -> str:
    lines = [f"<!-- bench:{name} -->", f"## {result.get('title', name)}", ""]
    mode = "quick (`make bench-quick`)" if quick else "full (`make bench`)"
    # The machine is shared: the load when a benchmark starts tells how much its figures may be off.
    lines.append(f"Run {when}, {mode}, {seconds:.0f} s in all, load average {load:.2f} at its start. "
                 f"Reproduce: `python -m bench.run --only {name}" + (" --quick" if quick else "") + "`.")
    if result.get("command"):
        lines += ["", f"What is timed: {result['command']}"]
    if result.get("error"):
        lines += ["", "**The benchmark failed:**", "", "```", result["error"].rstrip(), "```"]
    figures = result.get("figures", [])
    if figures:
        lines += ["", "| figure | value | target | |", "|---|---:|---|---|"]
        for fig in figures:
            unit = f" {fig['unit']}" if fig.get("unit") else ""
            ok = fig.get("ok")
            mark = "" if ok is None else ("met" if ok else "**missed**")
            lines.append(f"| {fig['name']} | {_value(fig['value'])}{unit} | {fig.get('target') or ''} | {mark} |")
    if result.get("notes"):
        lines += ["", result["notes"].strip()]
    lines += ["", f"<!-- /bench:{name} -->"]
    return "\n".join(lines) + "\n"


def write(sections: dict[str, str], info: dict, when: str, argv: list[str]) -> None:
    kept = {}
    if OUTPUT.exists():
        for match in SECTION.finditer(OUTPUT.read_text()):
            kept[match.group("name")] = match.group(0)
    kept.update(sections)
    header = [
        "# Benchmarks",
        "",
        "Figures from `bench/` against real processes on loopback (management commands, the uvicorn server),",
        "never from timed unit tests. This file is rewritten by `make bench` (every benchmark, full size) and",
        "`make bench-quick` (reduced sizes); `python -m bench.run --only NAME` reruns one section and keeps the others.",
        "",
        f"Last run: {when}, `python -m bench.run {' '.join(argv)}`".rstrip() + ".",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in info.items()],
        "",
    ]
    body = "\n".join(kept[name] for name in sorted(kept))
    OUTPUT.write_text("\n".join(header) + "\n" + body)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="reduced sizes and repeats")
    parser.add_argument("--only", action="append", metavar="NAME", help="run this benchmark (repeatable)")
    parser.add_argument("--no-write", action="store_true", help="print, do not rewrite BENCHMARKS.md")
    args = parser.parse_args(argv)
    argv = argv if argv is not None else sys.argv[1:]
    names = discover()
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"unknown benchmark(s) {', '.join(unknown)}; there are: {', '.join(names)}")
        names = [n for n in names if n in args.only]
    info = machine()
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    sections, failed = {}, False
    for name in names:
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        started, load = time.monotonic(), os.getloadavg()[0]
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            if args.quick and not getattr(module, "IN_QUICK", True):
                print("   not in --quick (run it with --only)", flush=True)
                continue  # its section is kept as it was
            result = module.run(quick=args.quick)
        except Exception:
            failed = True
            result = {"title": name, "error": traceback.format_exc()}
            print(result["error"], file=sys.stderr)
        seconds = time.monotonic() - started
        for fig in result.get("figures", []):
            unit = f" {fig['unit']}" if fig.get("unit") else ""
            target = f"  (target {fig['target']}{': missed' if fig.get('ok') is False else ''})" if fig.get("target") else ""
            print(f"   {fig['name']}: {_value(fig['value'])}{unit}{target}", flush=True)
        sections[name] = section(name, result, quick=args.quick, seconds=seconds, when=when, load=load)
    if not args.no_write:
        write(sections, info, when, argv)
        print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
