#!/usr/bin/env python3
"""Whole-process wall time of large real WASI programs: native vs node vs wasmrt.

Every workload is a realistic short command of a large program (Lua, the SQLite
shell, zstd, wabt's tools, the generated 8000-function module) built twice from
the same sources by scripts/build-large-programs.sh: natively and to
wasm32-wasi. Each run is a fresh process (nothing cached unless --warm). Runs of
native, node (node:wasi via run-node.mjs) and each wasmrt configuration are
interleaved; every run's exit status, stdout and output files must be the same
as the reference (native, else the first runner that succeeded). The table
shows the median wall time of each and the ratios wasmrt/node and
wasmrt/native; a second table the median CPU time (user+sys), which is steadier
on a loaded machine. See docs/BENCHMARKS-LARGE.md.

  bench/large/bench-large.py [--runs 3] [--wasmrt PATH] [--wasmrt-args "ARGS"]...
                             [--warm] [--timeout 600] [WORKLOAD...]
"""

import argparse
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORKLOAD_FILES = os.path.join(HERE, "workloads")


# ---------------------------------------------------------------- inputs

def make_text(path, size, seed=20240611):
    """A log-like text file (compresses about 4-5x with zstd), deterministic."""
    rng = random.Random(seed)
    levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
    components = ["http", "db", "cache", "auth", "scheduler", "storage", "queue", "mailer"]
    words = ("request handled user session token expired retry connection pool "
             "timeout query rows index page block flush commit rollback shard "
             "replica leader follower checksum payload header cookie route").split()
    chunks, written, t = [], 0, 1_700_000_000_000
    while written < size:
        t += rng.randrange(1, 5000)
        msg = " ".join(rng.choice(words) for _ in range(rng.randrange(3, 12)))
        line = (f"{t // 1000}.{t % 1000:03d} {rng.choice(levels):5} {rng.choice(components)}: "
                f"{msg} id={rng.randrange(1 << 32):08x} ms={rng.randrange(2000)}\n")
        chunks.append(line)
        written += len(line)
    with open(path, "w") as f:
        f.write("".join(chunks)[:size])


class Workload:
    def __init__(self, name, program, args, stdin=None, inputs=(), outputs=(), setup=None,
                 about=""):
        self.name = name
        self.program = program      # build/bench/large/{wasm/NAME.wasm,native/NAME}
        self.args = args
        self.stdin = stdin          # a file in the work directory, or None
        self.inputs = inputs        # files copied into the work directory
        self.outputs = outputs      # files the program writes (hashed, then removed)
        self.setup = setup          # setup(ctx, workdir) -> None or a reason to skip
        self.about = about


def setup_zstd_input(ctx, workdir):
    make_text(os.path.join(workdir, "data.txt"), ctx.zstd_bytes)


def setup_zstd_compressed(ctx, workdir):
    setup_zstd_input(ctx, workdir)
    zstd = ctx.native("zstd") or shutil.which("zstd")
    if not zstd:
        return "needs a native zstd (the native build or the system's) to make data.txt.zst"
    subprocess.run([zstd, "-q", "-f", "-9", "data.txt", "-o", "data.txt.zst"], cwd=workdir,
                   check=True)
    return None


def setup_module_input(name):
    def setup(ctx, workdir):
        module = ctx.wasm(name)
        if not module:
            return f"needs {name}.wasm as input (build it: scripts/build-large-programs.sh)"
        shutil.copyfile(module, os.path.join(workdir, f"input-{name}.wasm"))
        return None
    return setup


def setup_wat_input(ctx, workdir):
    reason = setup_module_input("zstd")(ctx, workdir)
    if reason:
        return reason
    wasm2wat = ctx.native("wasm2wat") or shutil.which("wasm2wat")
    if not wasm2wat:
        return "needs a native wasm2wat (the native build or the system's wabt)"
    subprocess.run([wasm2wat, "input-zstd.wasm", "-o", "input-zstd.wat"], cwd=workdir, check=True)
    return None


def setup_sqlite(ctx, workdir):
    # An empty init file, so no run reads the user's ~/.sqliterc (the wasm builds have no home).
    open(os.path.join(workdir, "empty-sqliterc"), "w").close()


WORKLOADS = [
    Workload("lua-version", "lua", ["-v"], about="start-up only: print the version"),
    Workload("lua-script", "lua", ["bench.lua", "2"], inputs=["bench.lua"],
             about="objects, strings, sorting, JSON, closures (workloads/bench.lua)"),
    Workload("sqlite-version", "sqlite3", ["-version"], about="start-up only"),
    Workload("sqlite-queries", "sqlite3", ["-init", "empty-sqliterc", "-bail", ":memory:"],
             stdin="queries.sql", inputs=["queries.sql"], setup=setup_sqlite,
             about="340k inserted rows, indexes, joins, windows, JSON, FTS5, R*Tree"),
    Workload("zstd-compress", "zstd", ["-c", "-9"], stdin="data.txt", setup=setup_zstd_input,
             about="compress 16 MB of log-like text at level 9 to stdout"),
    Workload("zstd-decompress", "zstd", ["-d", "-c"], stdin="data.txt.zst",
             setup=setup_zstd_compressed, about="decompress the same to stdout"),
    Workload("wasm2wat", "wasm2wat", ["input-sqlite3.wasm"], setup=setup_module_input("sqlite3"),
             about="disassemble sqlite3.wasm (1.8 MB) to text on stdout"),
    Workload("wat2wasm", "wat2wasm", ["input-zstd.wat", "-o", "out.wasm"], outputs=["out.wasm"],
             setup=setup_wat_input, about="assemble zstd's text format back to binary"),
    Workload("wasm2c", "wasm2c", ["input-lua.wasm"], setup=setup_module_input("lua"),
             about="translate lua.wasm to C source on stdout"),
    Workload("generated", "generated", [],
             about="bench/tools/GenerateLargeProgram.cpp: 8000 functions at -O0, each called once"),
]


# ---------------------------------------------------------------- running

class Result:
    def __init__(self, wall, cpu, rss_kib, status, digest, timed_out=False, error=""):
        self.wall, self.cpu, self.rss_kib = wall, cpu, rss_kib
        self.status, self.digest, self.timed_out, self.error = status, digest, timed_out, error


def run_once(argv, workdir, stdin_name, outputs, timeout):
    for name in outputs:
        try:
            os.unlink(os.path.join(workdir, name))
        except FileNotFoundError:
            pass
    stdin = open(os.path.join(workdir, stdin_name), "rb") if stdin_name else subprocess.DEVNULL
    # stdout goes to a regular file, not a pipe: node makes its stdio pipes
    # non-blocking, and node:wasi then hands EAGAIN to the guest (zstd fails
    # with "Write error : Resource temporarily unavailable"). A file treats every
    # runner alike. It lives next to the work directory, outside the preopen.
    stdout_path = workdir.rstrip("/") + ".stdout"
    stdout = open(stdout_path, "wb")
    stderr_tail = []
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, cwd=workdir, stdin=stdin, stdout=stdout,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as error:
        return Result(0, 0, 0, None, None, error=f"cannot start {argv[0]}: {error}")
    finally:
        if stdin_name:
            stdin.close()
        stdout.close()

    def read_stderr():
        data = proc.stderr.read()
        stderr_tail.append(data[-2000:].decode(errors="replace"))

    readers = [threading.Thread(target=read_stderr)]
    for reader in readers:
        reader.start()
    timed_out = []

    def kill():
        timed_out.append(True)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    _, wait_status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(wait_status)  # keeps Popen from waiting again
    for reader in readers:
        reader.join()
    cpu = usage.ru_utime + usage.ru_stime
    if timed_out:
        os.unlink(stdout_path)
        return Result(wall, cpu, usage.ru_maxrss, None, None, timed_out=True,
                      error=f"timed out after {timeout:g} s")
    digest = hashlib.sha256()
    with open(stdout_path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    os.unlink(stdout_path)
    for name in outputs:
        path = os.path.join(workdir, name)
        digest.update(f"\0{name}\0".encode())
        if os.path.exists(path):
            with open(path, "rb") as f:
                digest.update(hashlib.sha256(f.read()).digest())
        else:
            digest.update(b"<missing>")
    error = ""
    if proc.returncode != 0 and stderr_tail and stderr_tail[0].strip():
        error = stderr_tail[0].strip().splitlines()[-1]
    return Result(wall, cpu, usage.ru_maxrss, proc.returncode, digest.hexdigest(), error=error)


class Runner:
    def __init__(self, label, kind, prefix=()):
        self.label, self.kind, self.prefix = label, kind, list(prefix)

    def argv(self, ctx, workload):
        if self.kind == "native":
            return [ctx.native(workload.program)] + workload.args
        return self.prefix + ["--dir", ".", ctx.wasm(workload.program)] + workload.args


class Context:
    def __init__(self, options):
        self.build = options.build
        self.zstd_bytes = options.zstd_mib << 20

    def native(self, name):
        path = os.path.join(self.build, "native", name)
        return path if os.access(path, os.X_OK) and os.path.isfile(path) else None

    def wasm(self, name):
        path = os.path.join(self.build, "wasm", name + ".wasm")
        return path if os.path.isfile(path) else None


def fmt_time(value):
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 100 else f"{value:.1f}"


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "-"
    ratio = a / b
    return f"{ratio:.2f}x" if ratio < 100 else f"{ratio:.0f}x"


def median(results):
    ok = [r for r in results if r.status is not None]
    if not ok or len(ok) != len(results):
        return None, None, None
    return (statistics.median(r.wall for r in ok), statistics.median(r.cpu for r in ok),
            max(r.rss_kib for r in ok))


def print_table(title, rows, runners, wasmrt_runners, column, note):
    print(f"\n{title}")
    headers = ["workload"] + [r.label for r in runners]
    for w in wasmrt_runners:
        if any(r.kind == "node" for r in runners):
            headers.append(f"{w.label}/node")
        if any(r.kind == "native" for r in runners):
            headers.append(f"{w.label}/native")
    table = []
    for name, per_runner in rows:
        values = {label: stats[column] for label, stats in per_runner.items()}
        line = [name] + [fmt_time(values.get(r.label)) for r in runners]
        node = next((values.get(r.label) for r in runners if r.kind == "node"), None)
        native = next((values.get(r.label) for r in runners if r.kind == "native"), None)
        for w in wasmrt_runners:
            if any(r.kind == "node" for r in runners):
                line.append(fmt_ratio(values.get(w.label), node))
            if any(r.kind == "native" for r in runners):
                line.append(fmt_ratio(values.get(w.label), native))
        table.append(line)
    widths = [max(len(str(row[i])) for row in [headers] + table) for i in range(len(headers))]
    print("  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i])
                    for i, h in enumerate(headers)))
    for row in table:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(row)))
    if note:
        print(note)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Workloads: " + ", ".join(w.name for w in WORKLOADS))
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help="workloads to run (default: all that are built)")
    parser.add_argument("--build", default=os.path.join(REPO, "build", "bench", "large"),
                        help="output of scripts/build-large-programs.sh (default: %(default)s)")
    parser.add_argument("--wasmrt", default=os.path.join(REPO, "build", "tools", "wasmrt", "wasmrt"),
                        help="the wasmrt binary (default: %(default)s)")
    parser.add_argument("--wasmrt-args", action="append", metavar="ARGS",
                        help="extra `wasmrt run` options, e.g. \"--compilation eager\"; "
                             "repeat to compare several configurations in one run "
                             "(\"\" for the defaults); NAME=ARGS names the column, "
                             "e.g. \"lazy=\" \"eager=--compilation eager\"")
    parser.add_argument("--node", default="node", help="node binary (default: %(default)s)")
    parser.add_argument("--no-node", action="store_true", help="leave node out")
    parser.add_argument("--no-native", action="store_true", help="leave the native builds out")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--warm", action="store_true",
                        help="fill a scratch code cache first (wasmrt compile --cache, untimed) "
                             "and time cache hits; without it every wasmrt run is --no-cache")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before a run is killed (default 600)")
    parser.add_argument("--zstd-mib", type=int, default=16,
                        help="size of the zstd workloads' input (default 16 MiB)")
    parser.add_argument("--workdir", help="where inputs are made (default: a temporary directory)")
    parser.add_argument("--json", metavar="FILE", help="also write every run's measurements here")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    options = parser.parse_args()

    if options.list:
        for w in WORKLOADS:
            print(f"{w.name:16} {w.program} {' '.join(w.args)}"
                  f"{' < ' + w.stdin if w.stdin else ''}\n{'':16} {w.about}")
        return 0
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    known = {w.name for w in WORKLOADS}
    unknown = [name for name in options.workloads if name not in known]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")

    ctx = Context(options)
    if not os.path.isdir(os.path.join(ctx.build, "wasm")):
        print(f"bench-large: no programs built in {ctx.build}.\n"
              "  Fetch their sources once:  scripts/fetch-large-programs.sh\n"
              "  then build them:           scripts/build-large-programs.sh", file=sys.stderr)
        return 1
    if not (os.path.isfile(options.wasmrt) and os.access(options.wasmrt, os.X_OK)):
        print(f"bench-large: wasmrt not found at {options.wasmrt} (build it, or pass --wasmrt PATH)",
              file=sys.stderr)
        return 1

    runners = []
    if not options.no_native:
        runners.append(Runner("native", "native"))
    if not options.no_node:
        node = shutil.which(options.node)
        if not node:
            print(f"bench-large: node not found ('{options.node}'); leaving it out "
                  "(install nodejs >= 20, or pass --node PATH / --no-node)", file=sys.stderr)
        else:
            version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
            major = int(version.lstrip("v").split(".")[0]) if version.startswith("v") else 0
            if major < 20:
                print(f"bench-large: node {version} has no usable node:wasi (need >= 20); "
                      "leaving it out", file=sys.stderr)
            else:
                runners.append(Runner(f"node", "node",
                                      [node, "--no-warnings", os.path.join(HERE, "run-node.mjs")]))
    configs = options.wasmrt_args if options.wasmrt_args else [""]
    wasmrt_runners = []
    for i, extra in enumerate(configs):
        label = "wasmrt" if len(configs) == 1 else f"wasmrt{i + 1}"
        named = re.match(r"^([A-Za-z][\w.+-]*)=(.*)$", extra, re.S)
        if named:  # "lazy=", "eager=--compilation eager"
            label, extra = named.group(1), named.group(2)
        wasmrt_runners.append(Runner(label, "wasmrt",
                                     [options.wasmrt, "run"] + shlex.split(extra)))
    runners += wasmrt_runners

    own_workdir = options.workdir is None
    root = tempfile.mkdtemp(prefix="bench-large-") if own_workdir else os.path.abspath(options.workdir)
    os.makedirs(root, exist_ok=True)
    # The code cache is on by default in `wasmrt run`: "nothing cached" means
    # --no-cache; --warm fills a scratch cache synchronously before timing.
    cache_dir = os.path.join(root, "code-cache")
    for w in wasmrt_runners:
        w.prefix[2:2] = ["--cache-dir", cache_dir] if options.warm else ["--no-cache"]
    selected = [w for w in WORKLOADS if not options.workloads or w.name in options.workloads]
    rows, records, failed = [], [], False
    print(f"bench-large: {options.runs} run(s) each, interleaved; wasmrt = {options.wasmrt}")
    for w in wasmrt_runners:
        print(f"  {w.label}: wasmrt run {' '.join(w.prefix[2:]) or '(defaults)'}"
              f"{'  [cache filled first: cache hits]' if options.warm else '  [nothing cached]'}")
    try:
        for workload in selected:
            if not ctx.wasm(workload.program):
                print(f"{workload.name}: skipped: {workload.program}.wasm not built "
                      "(scripts/fetch-large-programs.sh, then scripts/build-large-programs.sh)")
                continue
            workdir = os.path.join(root, workload.name)
            os.makedirs(workdir, exist_ok=True)
            for name in workload.inputs:
                shutil.copyfile(os.path.join(WORKLOAD_FILES, name), os.path.join(workdir, name))
            if workload.setup:
                reason = workload.setup(ctx, workdir)
                if reason:
                    print(f"{workload.name}: skipped: {reason}")
                    continue
            active = [r for r in runners if r.kind != "native" or ctx.native(workload.program)]
            if not options.no_native and not ctx.native(workload.program):
                print(f"{workload.name}: no native build of {workload.program}; native left out")
            if options.warm:
                for runner in wasmrt_runners:
                    codegen = [a for a in runner.prefix[4:] if a.startswith("-O")
                               or a == "--bounds-checks"]
                    subprocess.run([options.wasmrt, "compile", "--cache", "--cache-dir", cache_dir]
                                   + codegen + [ctx.wasm(workload.program)],
                                   timeout=options.timeout, check=False)
            results = {r.label: [] for r in active}
            given_up = set()
            for _ in range(options.runs):
                for runner in active:
                    if runner.label in given_up:
                        continue
                    result = run_once(runner.argv(ctx, workload), workdir, workload.stdin,
                                      workload.outputs, options.timeout)
                    results[runner.label].append(result)
                    if result.status is None:
                        given_up.add(runner.label)
            # The reference: native if it ran, else the first runner that did.
            reference = None
            for runner in active:
                ok = [r for r in results[runner.label] if r.status is not None]
                if ok:
                    reference = (runner.label, ok[0].status, ok[0].digest)
                    break
            per_runner = {}
            for runner in active:
                runs = results[runner.label]
                problems = set()
                for r in runs:
                    if r.status is None:
                        problems.add(r.error)
                    elif reference and (r.status, r.digest) != reference[1:]:
                        problems.add(f"exit status {r.status} / output differ from "
                                     f"{reference[0]}'s (exit status {reference[1]})"
                                     + (f": {r.error}" if r.error else ""))
                if problems:
                    failed = True
                    for problem in sorted(problems):
                        print(f"{workload.name}: {runner.label}: {problem}")
                    per_runner[runner.label] = (None, None, None)
                else:
                    per_runner[runner.label] = median(runs)
                records.append({"workload": workload.name, "runner": runner.label,
                                "argv": runner.argv(ctx, workload),
                                "wall_s": [r.wall for r in runs], "cpu_s": [r.cpu for r in runs],
                                "maxrss_kib": [r.rss_kib for r in runs],
                                "status": [r.status for r in runs],
                                "same_output": not problems})
            rows.append((workload.name, {label: s for label, s in per_runner.items()}))
            wall = "  ".join(f"{label} {fmt_time(s[0])}" for label, s in per_runner.items())
            print(f"{workload.name}: {wall}", flush=True)
    except KeyboardInterrupt:
        print("bench-large: interrupted; the table has the workloads finished so far",
              file=sys.stderr)
        failed = True
    finally:
        if own_workdir:
            shutil.rmtree(root, ignore_errors=True)

    shown = [r for r in runners]
    print_table(f"Median wall time, s ({options.runs} run(s) each, interleaved; "
                f"{'warm' if options.warm else 'nothing cached'})",
                rows, shown, wasmrt_runners, 0, "")
    print_table("Median CPU time (user+sys of the process and its threads), s",
                rows, shown, wasmrt_runners, 1, "")
    for w in wasmrt_runners:
        if len(wasmrt_runners) > 1:
            print(f"{w.label} = wasmrt run {' '.join(w.prefix[2:]) or '(defaults)'}")
    if options.json:
        with open(options.json, "w") as f:
            json.dump({"runs": options.runs, "warm": options.warm, "wasmrt": options.wasmrt,
                       "configs": {w.label: w.prefix[2:] for w in wasmrt_runners},
                       "records": records}, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
