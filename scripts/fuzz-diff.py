#!/usr/bin/env python3
"""Differential execution fuzzing (docs/FUZZING.md, "Differential fuzzing").

Random valid modules (binaryen's `wasm-opt -ttf`, NaNs removed with `--denan`)
run under wasmrt_exec_driver --log in every configuration that must agree:
guarded and bounds-checked memory, lazy and eager compilation, each tier,
-O1..-O3, and tier-up in the middle of the run. Each run yields the sequence
of import calls (with arguments) and export outcomes (results or trap kind).
Every other module is Wasm 2.0 without SIMD and is also run under wabt's
`wasm-interp`, an independent interpreter, which is then the reference. With
SIMD, the bounds-checked configuration is the reference instead: a NaN made
by a SIMD float operation may carry any payload (the spec's arithmetic NaN),
`--denan` does not reach inside vectors, and reinterpreting such a lane
(f64x2.extract_lane of f32x4 lanes) turns the payload into an ordinary value,
so two correct engines can disagree (wasm-interp makes canonical NaNs, x86
propagates the input's payload).

    scripts/fuzz-diff.py [--seconds N] [--build-dir DIR] [--artifacts DIR]
                         [--reduce] [--check FILE.wasm]

A mismatch keeps the module and both logs in the artifacts folder; with
--reduce, binaryen's wasm-reduce then shrinks it to a small reproducer that
still mismatches (it calls this script with --check). Exit status: 0 when no
mismatch or driver failure was found, 1 otherwise, 2 for bad usage.
--check FILE... compares given modules once (the regression seeds in
test/fuzz/seeds/diff/, CTest's fuzz-diff/seeds).
"""
import argparse
import math
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

FEATURES = ["--enable-bulk-memory", "--enable-sign-ext",
            "--enable-nontrapping-float-to-int", "--enable-multivalue",
            "--enable-mutable-globals"]
SIMD = ["--enable-simd"]

# Configurations of wasmrt that must all agree with the reference. The first
# is the reference for SIMD modules (explicit checks: exact traps).
CONFIGS = [
    ("bounds-checks", ["--bounds-checks"]),
    ("lazy-tiered", []),
    ("eager-O2", ["--eager", "-O", "2"]),
    ("baseline", ["--tier", "baseline"]),
    ("optimized-O1", ["--tier", "optimized", "-O", "1"]),
    ("optimized-O3", ["--tier", "optimized", "-O", "3"]),
    ("tier-up-at-2", ["--tier-up-threshold", "2"]),
]

# Trap messages of both sides -> one kind. Checked in order.
TRAP_KINDS = [
    ("unreachable", "unreachable"),
    ("out of bounds memory access", "memory"),
    ("memory.init out of bounds", "memory"),
    ("memory.copy out of bound", "memory"),
    ("memory.fill out of bound", "memory"),
    ("integer divide by zero", "div-zero"),
    ("integer overflow", "overflow"),
    ("invalid conversion to integer", "conversion"),
    ("undefined element", "table-index"),
    ("undefined table index", "table-index"),
    ("uninitialized element", "null-element"),
    ("uninitialized table element", "null-element"),
    ("indirect call type mismatch", "signature"),
    ("indirect call signature mismatch", "signature"),
    ("out of bounds table access", "table"),
    ("table.init out of bounds", "table"),
    ("table.copy out of bounds", "table"),
    ("table.fill out of bounds", "table"),
    ("call stack exhausted", "exhausted"),
]


def trap_kind(message):
    for text, kind in TRAP_KINDS:
        if text in message:
            return kind
    return "other(" + message + ")"


def float_text(value):
    if math.isnan(value):
        return "nan"
    return "%f" % value


def ours_value(text):
    kind, _, rest = text.partition(":")
    if kind == "f32":
        return "f32:" + float_text(struct.unpack("<f", struct.pack("<I", int(rest, 16)))[0])
    if kind == "f64":
        return "f64:" + float_text(struct.unpack("<d", struct.pack("<Q", int(rest, 16)))[0])
    if kind == "v128":
        return "v128:" + ",".join("%08x" % int(lane, 16) for lane in rest.split(","))
    return text


def reference_value(text):
    text = text.strip()
    if text.startswith("v128 i32x4:"):
        return "v128:" + ",".join("%08x" % int(lane, 16) for lane in text[11:].split())
    kind, _, rest = text.partition(":")
    if kind in ("f32", "f64"):
        return kind + ":" + ("nan" if "nan" in rest else float_text(float(rest)))
    if kind in ("funcref", "externref"):
        return "ref:null" if "null" in rest else "ref:nonnull"
    return text


def parse_ours(output):
    events = []
    for line in output.splitlines():
        if line.startswith("import "):
            parts = line.split()
            events.append(("import", parts[1], tuple(ours_value(v) for v in parts[2:])))
        elif line.startswith("export "):
            name, _, outcome = line[7:].partition(" =>")
            outcome = outcome.strip()
            if outcome.startswith("trap "):
                events.append(("export", name, ("trap", trap_kind(outcome[5:]))))
            else:
                events.append(("export", name, tuple(ours_value(v) for v in outcome.split())))
        elif line.startswith("instantiate => trap "):
            events.append(("instantiate", trap_kind(line[20:])))
    return events


def parse_reference(output):
    events = []
    for line in output.splitlines():
        if line.startswith("called host "):
            head, _, _ = line[12:].rpartition(" =>")
            name, _, args = head.partition("(")
            args = args[:-1]
            values = tuple(reference_value(v) for v in args.split(", ")) if args else ()
            events.append(("import", name, values))
        elif "() => " in line or line.endswith("() =>"):
            name, _, outcome = line.partition("() =>")
            outcome = outcome.strip()
            if outcome.startswith("error: "):
                events.append(("export", name, ("trap", trap_kind(outcome[7:]))))
            else:
                values = tuple(reference_value(v) for v in outcome.split(", ")) if outcome else ()
                events.append(("export", name, values))
        elif line.startswith("error"):
            events.append(("instantiate", trap_kind(line)))
    return events


def run(command, timeout):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              errors="replace")
        return done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        return None, "", "timeout"


class Checker:
    def __init__(self, driver, timeout):
        self.driver = driver
        self.timeout = timeout

    def reference(self, module):
        status, out, err = run(["wasm-interp", "--run-all-exports", "--dummy-import-func",
                                module], self.timeout)
        if status is None:
            return None
        return parse_reference(out + err)

    def compare(self, module, simd):
        """None if the module is unusable (reference timed out or refused it),
        else a list of (config, problem, ours, reference) mismatches."""
        expected = None if simd else self.reference(module)
        if not simd:
            if expected is None or not expected:
                return None
            # The reference's call stack is far shallower than ours: where it
            # ran out, the rest of its run is not comparable.
            if any(event[-1] == ("trap", "exhausted") or event[-1] == "exhausted"
                   for event in expected):
                return None
        problems = []
        for name, flags in CONFIGS:
            status, out, err = run([self.driver, "--log"] + flags + [module], self.timeout)
            if status is None:
                problems.append((name, "timeout", out, ""))
                continue
            if status != 0:
                problems.append((name, "driver failed (status %s): %s" % (status, err.strip()),
                                 out, ""))
                continue
            got = parse_ours(out)
            if expected is None:
                expected = got  # SIMD: the first configuration is the reference
            elif got != expected:
                problems.append((name, "mismatch", got, expected))
        return problems


def generate(work, rng, simd):
    data = os.path.join(work, "input.dat")
    with open(data, "wb") as f:
        f.write(rng.randbytes(1024 + rng.randrange(16384)))
    module = os.path.join(work, "module.wasm")
    features = FEATURES + (SIMD if simd else [])
    done = subprocess.run(["wasm-opt", data, "-ttf", "--denan"] + features + ["-o", module],
                          capture_output=True)
    return module if done.returncode == 0 else None


def uses_simd(module):
    """Whether a module (say, a reduced one) has any SIMD type or instruction."""
    done = subprocess.run(["wasm2wat", "--enable-all", module], capture_output=True, text=True)
    return re.search(r"v128|[if](8x16|16x8|32x4|64x2)\.", done.stdout) is not None


def describe(problem):
    config, what, ours, reference = problem
    if what != "mismatch":
        return "%s: %s" % (config, what)
    for index, (a, b) in enumerate(zip(ours, reference)):
        if a != b:
            return "%s: event %d: wasmrt %s, reference %s" % (config, index, a, b)
    return "%s: %d events against the reference's %d" % (config, len(ours), len(reference))


def reduce(module, artifacts, stem):
    script = os.path.abspath(__file__)
    target = os.path.join(artifacts, stem + "-reduced.wasm")
    work = os.path.join(artifacts, stem + "-reduce-work.wasm")
    command = "%s %s --build-dir %s --check %s" % (sys.executable, script, ARGS.build_dir, work)
    # -b: where wasm-reduce finds wasm-opt (it does not search PATH).
    wasm_opt_dir = os.path.dirname(shutil.which("wasm-opt"))
    subprocess.run(["wasm-reduce", module, "-b", wasm_opt_dir, "--command", command, "-t", work,
                    "-w", target,
                    "--timeout", "20"] + FEATURES, capture_output=True)
    return target if os.path.exists(target) else None


def main():
    driver = os.path.join(ARGS.build_dir, "test", "fuzz", "wasmrt_exec_driver")
    if not os.path.exists(driver):
        subprocess.run(["cmake", "--build", ARGS.build_dir, "--target", "wasmrt_exec_driver"],
                       check=True)
    for tool in ("wasm-opt", "wasm-interp"):
        if not shutil.which(tool):
            print("%s is needed (Debian packages binaryen and wabt)" % tool, file=sys.stderr)
            return 2
    checker = Checker(driver, ARGS.timeout)
    if ARGS.check:
        status = 0
        for module in ARGS.check:
            problems = checker.compare(module, uses_simd(module))
            print("MISMATCH" if problems else "SAME", module if len(ARGS.check) > 1 else "")
            for problem in problems or []:
                print("  " + describe(problem)[:300])
            status |= 1 if problems else 0
        return status

    os.makedirs(ARGS.artifacts, exist_ok=True)
    rng = random.Random(ARGS.seed)
    counts = {"modules": 0, "simd": 0, "compared": 0, "skipped": 0, "failures": 0}
    end = time.time() + ARGS.seconds
    with tempfile.TemporaryDirectory() as work:
        while time.time() < end and (ARGS.max_modules is None or
                                     counts["modules"] < ARGS.max_modules):
            simd = counts["modules"] % 2 == 1
            module = generate(work, rng, simd)
            if module is None:
                continue
            counts["modules"] += 1
            counts["simd"] += simd
            problems = checker.compare(module, simd)
            if problems is None:
                counts["skipped"] += 1
                continue
            counts["compared"] += 1
            if not problems:
                continue
            counts["failures"] += 1
            stem = "mismatch-%d-%d" % (int(time.time()), counts["modules"])
            kept = os.path.join(ARGS.artifacts, stem + ".wasm")
            shutil.copy(module, kept)
            with open(os.path.join(ARGS.artifacts, stem + ".txt"), "w") as f:
                for problem in problems:
                    f.write(describe(problem) + "\n")
            print("MISMATCH %s: %s" % (kept, describe(problems[0])), flush=True)
            if ARGS.reduce:
                reduced = reduce(kept, ARGS.artifacts, stem)
                print("  reduced: %s" % reduced, flush=True)
    print("differential fuzzing: %(modules)d modules (%(simd)d with SIMD), %(compared)d "
          "compared in every configuration, %(skipped)d skipped (reference timed out, "
          "refused or ran out of stack), %(failures)d with mismatches or failures" % counts)
    print("configurations: " + ", ".join(name for name, _ in CONFIGS))
    return 1 if counts["failures"] else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--build-dir", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build"))
    parser.add_argument("--artifacts", default=None)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--seed", type=int, default=None)
    # With --seed, a fixed list of modules whatever the machine's speed (CI).
    parser.add_argument("--max-modules", type=int, default=None)
    parser.add_argument("--reduce", action="store_true")
    parser.add_argument("--configs", default=None,
                        help="comma-separated configuration names (default: all): " +
                        ", ".join(name for name, _ in CONFIGS))
    parser.add_argument("--check", nargs="+", default=None,
                        help="compare these modules once; exit 1 if any mismatches")
    ARGS = parser.parse_args()
    ARGS.build_dir = os.path.abspath(ARGS.build_dir)
    if ARGS.configs:
        wanted = ARGS.configs.split(",")
        unknown = [name for name in wanted if name not in dict(CONFIGS)]
        if unknown:
            print("unknown configuration(s): " + ", ".join(unknown), file=sys.stderr)
            sys.exit(2)
        # The first is the SIMD reference: keep the listed order.
        CONFIGS[:] = [(name, dict(CONFIGS)[name]) for name in wanted]
    if ARGS.artifacts is None:
        ARGS.artifacts = os.path.join(ARGS.build_dir, "artifacts-diff")
    sys.exit(main())
