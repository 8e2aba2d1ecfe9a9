#!/usr/bin/env python3
"""Where the time of one `wasmrt run` goes: a perf profile summed into buckets.

  bench/large/profile-wasmrt.py [--wasmrt PATH] [--freq 2000] [--count-bodies] -- \
      RUN-OPTIONS... FILE.wasm [ARGS...]

Runs `perf record` (no call graphs: Debian's libLLVM has no frame pointers) on
`wasmrt run RUN-OPTIONS... FILE.wasm ARGS...` in the current directory (stdin
from --stdin FILE; stdout goes to /dev/null unless --show-output),
then sorts every sample by thread (the main thread runs the guest; the other
threads are the compile threads) and by what the sampled code is:

  guest code        the JIT'd wasm functions (the memfd code arena)
  LLVM codegen      instruction selection, register allocation, scheduling, MC
  LLVM IR passes    the optimisation pipeline (InstCombine, GVN, SROA, vectorisers...)
  LLVM IR/core      IR and ADT code shared by both (Value, Use, DenseMap, APInt...)
  LLVM unnamed      libLLVM code perf cannot name (local symbols; Debian ships the
                    library stripped of them, the -dbgsym package is not in the
                    main archive)
  JIT link          ORC and JITLink
  wasmrt            wasmrt itself: decode, validate, translate to IR, runtime, WASI
  malloc            libc's allocator (mostly LLVM's allocations)
  libc other, kernel, other

With --count-bodies (root; uses a uprobe, removed afterwards) it also counts how
many times the translator ran (one per lazily compiled function, one per chunk in
eager mode, plus the glue chunk). Needs `perf` (Debian: linux-perf).
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

CODEGEN = re.compile(
    r"SelectionDAG|DAGCombiner|DAGTypeLegalizer|ISel|X86|TargetLowering|ScheduleDAG|"
    r"MachineInstr|MachineBasicBlock|MachineFunction|MachineOperand|MachineRegisterInfo|"
    r"MachineLoop|MachineDominator|MachineBlockFrequency|MachineBranchProb|MachineSink|"
    r"MachineLICM|MachineCSE|MachineCopyProp|MachineScheduler|MachineTraceMetrics|"
    r"RegAlloc|RAGreedy|LiveInterval|LiveRange|LiveRegMatrix|LiveVariables|LiveIntervalUnion|"
    r"SlotIndex|VirtRegMap|SplitEditor|SplitAnalysis|SpillPlacement|InlineSpiller|"
    r"InterferenceCache|RegisterCoalescer|TwoAddress|PeepholeOptimizer|BranchFolder|"
    r"PrologEpilog|FastISel|\bMC[A-Z]|llvm::MC|AsmPrinter|EHStreamer|TargetInstrInfo|"
    r"TargetRegisterInfo|RegisterPressure|ScheduleDAGInstrs|PostRA|RegScavenger|"
    r"LivePhysRegs|TailDuplicator|MachineSSAUpdater|CodeGenPrepare|EVT|MVT|SDNode|SDValue|"
    r"FunctionLoweringInfo|StackColoring|LiveDebugValues|InstrEmitter|ProcessImplicitDefs|"
    r"PHIElimination|DetectDeadLanes|RegisterClassInfo|TargetPassConfig|CodeGen|"
    r"llvm::TargetSubtargetInfo|ReachingDef|RDA|BitstreamWriter|object::|ELF")
IR_PASSES = re.compile(
    r"InstCombine|GVN|SROA|SimplifyCFG|EarlyCSE|MemorySSA|LICM|LoopVectori|SLPVectori|"
    r"Vectoriz|VPlan|VPRecipe|Inliner|InlineCost|InlineFunction|ScalarEvolution|SCEV|"
    r"DominatorTree|DomTree|SemiNCA|PostDom|BasicAA|AAResults|AliasAnalysis|ValueTracking|"
    r"computeKnownBits|SimplifyInst|simplify[A-Z]|InstSimplify|PassManager|AnalysisManager|"
    r"LoopInfo|LoopRotat|LoopSimplify|LoopDeletion|IndVarSimplify|DSE|DeadStore|ADCE|"
    r"LazyValueInfo|CorrelatedValue|JumpThreading|Reassociate|MemCpyOpt|ConstantFold|"
    r"TargetTransformInfo|TTI|CostModel|BlockFrequency|BranchProbability|CallGraph|"
    r"LazyCallGraph|PatternMatch|KnownBits|AssumptionCache|PromoteMem|mem2reg|"
    r"TargetLibraryInfo|MemoryDependence|Local\.cpp|replaceAllUses|RecursivelyDelete|"
    r"isInstructionTriviallyDead|salvageDebugInfo|Loop[A-Z]")
JIT_LINK = re.compile(r"orc::|jitlink::|JITLink|ExecutionSession|JITDylib|RuntimeDyld|"
                      r"MaterializationUnit|ObjectLinkingLayer|LinkGraph")


def bucket(dso, sym):
    dso_base = os.path.basename(dso)
    if "wasmrt-jit-code" in dso or dso.startswith("[JIT]") or dso.startswith("//anon"):
        return "guest code"
    if dso == "[kernel.kallsyms]" or dso.startswith("[k"):
        return "kernel"
    if dso_base.startswith("libc.so") or dso_base.startswith("libc-"):
        if re.search(r"malloc|free|_int_|unlink_chunk|tcache|calloc|realloc|cfree", sym):
            return "malloc"
        return "libc other"
    if "LLVM" in dso_base or dso_base.startswith("libLLVM") or (
            dso_base == "wasmrt" and sym.startswith("llvm::")):
        if sym == "[unknown]":
            return "LLVM unnamed"
        if JIT_LINK.search(sym):
            return "JIT link"
        if CODEGEN.search(sym):
            return "LLVM codegen"
        if IR_PASSES.search(sym):
            return "LLVM IR passes"
        return "LLVM IR/core"
    if dso_base == "wasmrt":
        return "wasmrt"
    if dso_base.startswith("libstdc++") or dso_base.startswith("libgcc"):
        return "libc other"
    return "other"


ORDER = ["guest code", "LLVM codegen", "LLVM IR passes", "LLVM IR/core", "LLVM unnamed", "JIT link", "wasmrt",
         "malloc", "libc other", "kernel", "other"]


def count_bodies(wasmrt, run_argv, stdout, stdin_path):
    """Counts translateChunk calls with a uprobe; returns None if that fails."""
    nm = subprocess.run(["nm", wasmrt], capture_output=True, text=True)
    symbol = next((line.split()[2] for line in nm.stdout.splitlines()
                   if " T " in line and "translateChunk" in line), None)
    if not symbol:
        print("profile-wasmrt: no translateChunk symbol in the binary; not counting",
              file=sys.stderr)
        return None
    event = "wasmrt_bench:translate"
    add = subprocess.run(["perf", "probe", "-q", "-x", wasmrt, "--add",
                          f"{event.split(':')[1]}={symbol}"], capture_output=True, text=True)
    if add.returncode != 0:
        # perf names the group after the binary; retry lookups under that name.
        print(f"profile-wasmrt: perf probe failed: {add.stderr.strip()}", file=sys.stderr)
        return None
    groups = subprocess.run(["perf", "probe", "-l"], capture_output=True, text=True).stdout
    match = re.search(r"(\S+:translate)\s", groups)
    event = match.group(1) if match else "probe_wasmrt:translate"
    try:
        with open(stdin_path or os.devnull, "rb") as stdin:
            stat = subprocess.run(["perf", "stat", "-x", ",", "-e", event, "--"] + run_argv,
                                  stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True)
        for line in stat.stderr.splitlines():
            if event in line:
                return int(line.split(",")[0])
        return None
    finally:
        subprocess.run(["perf", "probe", "-q", "-d", event], capture_output=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wasmrt", default=os.path.join(REPO, "build", "tools", "wasmrt", "wasmrt"))
    parser.add_argument("--freq", type=int, default=2000, help="samples per second (default 2000)")
    parser.add_argument("--count-bodies", action="store_true",
                        help="also count translator runs with a uprobe (root)")
    parser.add_argument("--show-output", action="store_true", help="keep the guest's stdout")
    parser.add_argument("--stdin", metavar="FILE",
                        help="the guest's stdin (opened afresh for each run; default: none)")
    parser.add_argument("run_args", nargs=argparse.REMAINDER,
                        help="-- then `wasmrt run` options, module and arguments")
    options = parser.parse_args()
    run_args = options.run_args[1:] if options.run_args[:1] == ["--"] else options.run_args
    if not run_args:
        parser.error("give the module to run after --")
    if not shutil.which("perf"):
        print("profile-wasmrt: perf not found (Debian: apt-get install linux-perf)", file=sys.stderr)
        return 1
    if not os.access(options.wasmrt, os.X_OK):
        print(f"profile-wasmrt: no wasmrt at {options.wasmrt} (pass --wasmrt PATH)", file=sys.stderr)
        return 1
    run_argv = [options.wasmrt, "run"] + run_args
    stdout = None if options.show_output else subprocess.DEVNULL

    with tempfile.TemporaryDirectory(prefix="profile-wasmrt-") as tmp:
        data = os.path.join(tmp, "perf.data")
        with open(options.stdin or os.devnull, "rb") as stdin:
            record = subprocess.run(["perf", "record", "-q", "-F", str(options.freq), "-o", data,
                                     "--"] + run_argv, stdin=stdin, stdout=stdout)
        if not os.path.exists(data):
            print("profile-wasmrt: perf record failed", file=sys.stderr)
            return 1
        script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,tid,time,ip,sym,dso"],
                                capture_output=True, text=True, errors="replace")
    samples = collections.Counter()
    per_thread = collections.Counter()
    times, pid = [], None
    top_syms = collections.defaultdict(collections.Counter)
    line_re = re.compile(r"^\s*(\d+)/(\d+)\s+([\d.]+):\s+(?:[0-9a-f]+\s+)?(.*?)\s+\((.*)\)\s*$")
    for line in script.stdout.splitlines():
        m = line_re.match(line)
        if not m:
            continue
        p, tid, t, sym, dso = int(m.group(1)), int(m.group(2)), float(m.group(3)), m.group(4), m.group(5)
        pid = pid or p
        thread = "main thread" if tid == p else "compile threads"
        b = bucket(dso, sym)
        samples[(thread, b)] += 1
        per_thread[thread] += 1
        times.append(t)
        top_syms[b][sym] += 1
    total = sum(per_thread.values())
    if not total:
        print("profile-wasmrt: no samples (is perf allowed here? kernel.perf_event_paranoid)",
              file=sys.stderr)
        return 1
    span = max(times) - min(times)
    ms = 1000.0 / options.freq
    print(f"wasmrt run {' '.join(run_args)}")
    print(f"exit status {record.returncode}; {total} samples at {options.freq} Hz "
          f"= {total * ms / 1000:.2f} s of CPU over {span:.2f} s from first to last sample")
    header = f"{'':16}" + "".join(f"{t:>18}" for t in ["main thread", "compile threads", "all"])
    print(header)
    for b in ORDER:
        row = [samples[("main thread", b)], samples[("compile threads", b)]]
        row.append(sum(row))
        if row[2] == 0:
            continue
        print(f"{b:16}" + "".join(f"{n * ms / 1000:10.2f} s {100 * n / total:4.0f}%" for n in row))
    row = [per_thread["main thread"], per_thread["compile threads"], total]
    print(f"{'total':16}" + "".join(f"{n * ms / 1000:10.2f} s {100 * n / total:4.0f}%" for n in row))
    print("\nhottest symbols of the three largest buckets:")
    for b in sorted(top_syms, key=lambda k: -sum(top_syms[k].values()))[:3]:
        print(f"  {b}: " + "; ".join(f"{s[:60]} {100 * n / total:.1f}%"
                                      for s, n in top_syms[b].most_common(4)))
    if options.count_bodies:
        n = count_bodies(options.wasmrt, run_argv, subprocess.DEVNULL, options.stdin)
        if n is not None:
            print(f"\ntranslator runs (translateChunk calls, separate run): {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
