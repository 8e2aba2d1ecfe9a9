#!/usr/bin/python3
"""Density and start latency: idle Wasm pods under wasmrt-oci beside runc+busybox pods.

Starts a private containerd (test/containerd/harness.py), then creates N pods of
each kind through the CRI API, interleaved so both see the same machine state:

  wasmrt   runtime handler "wasmrt" (BinaryName = wasmrt-oci), one container
           running idle_service.wasm (blocked in poll_oneoff)
  runc     runtime handler "runc" (plain runc), one container running
           busybox `sleep`

and reports, per kind:
  start    CreateContainer + StartContainer round trip (create -> running), ms
  pod      RunPodSandbox (the pause container and the pod's shim), ms
  app PSS  the container's own processes (the process tree at its PID), KiB
  shim PSS containerd-shim-runc-v2 of the pod (one per pod), KiB
  pause    the pod's pause process, KiB
PSS (smaps_rollup) splits shared pages among the processes mapping them, so
summing it over N containers gives their real total.

Usage: density.py --wasmrt-oci PATH --pause PATH --idle-wasm PATH [-n 100]
Needs root, containerd, runc, busybox-static, python3-grpcio, python3-grpc-tools.
scripts/containerd-e2e.sh --bench runs it with the build's paths.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "test", "containerd"))
import harness  # noqa: E402
from harness import Failure, Skip, log  # noqa: E402

PAUSE_IMAGE = "localhost/wasmrt-bench/pause:1"
NS = "k8s.io"


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def start_time(pid):
    """The process's start time in clock ticks (field 22 of /proc/PID/stat):
    with the PID, it names one process even after the PID is reused."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += harness.children_of(p)
    return out


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = harness.make_workdir("wasmrt-bench-")
        self.cd = harness.Containerd(self.workdir, args.wasmrt_oci, PAUSE_IMAGE)
        self.cd.id_prefix = f"wasmrt-bench-{os.getpid()}-"
        self.cri = None
        self.pods = []
        self.samples = {"wasmrt": [], "runc": []}  # dicts per container
        self.app_pids = []

    def setup(self):
        self.cd.start()
        a = self.args
        images = {
            "pause": (harness.pause_image_files(a.pause), ["/pause"], [], False),
            # A long sleep as the image's command, like a service's default.
            "busybox": (harness.busybox_image_files(a.busybox), ["/bin/sleep"], ["1000000"],
                        False),
            "idle": (harness.wasm_image_files(a.idle_wasm, "idle.wasm"), ["/idle.wasm"], [],
                     True),
        }
        self.image_ids = {}
        for name, (files, entry, cmd, wasm) in images.items():
            tar = os.path.join(self.workdir, name + ".tar")
            ref = "localhost/wasmrt-bench/" + name + ":1"
            self.image_ids[name] = harness.build_image_tar(tar, ref, files, entry, cmd=cmd,
                                                           wasm=wasm)
            self.cd.import_image(NS, tar)
        self.cri = harness.Cri(self.cd.address, self.workdir)

    def start_one(self, kind, i):
        handler, image = {"wasmrt": ("wasmrt", "idle"), "runc": ("runc", "busybox")}[kind]
        name = f"{self.cd.id_prefix}{kind}-{i}"
        log_dir = os.path.join(self.workdir, "pods", name)
        os.makedirs(log_dir)
        config = self.cri.sandbox_config(name, log_dir)
        t0 = time.monotonic()
        pod_id = self.cri.run_pod(config, handler)
        t1 = time.monotonic()
        self.pods.append(pod_id)
        self.cd.shim_ids.add((NS, pod_id))
        cid = self.cri.create_container(pod_id, config, "app", self.image_ids[image],
                                        "app.log")
        self.cri.start_container(cid)
        t2 = time.monotonic()
        st = self.cri.status(cid)
        if st.state != self.cri.pb.CONTAINER_RUNNING:
            raise Failure(f"{kind} container {i}: state {st.state} after StartContainer "
                          f"(exit {st.exit_code}, {st.reason} {st.message}); "
                          f"log: {open(os.path.join(log_dir, 'app.log')).read()[:500]}")
        self.samples[kind].append({"pod_ms": (t1 - t0) * 1e3, "start_ms": (t2 - t1) * 1e3,
                                   "cid": cid, "pod": pod_id})

    def container_pid(self, cid):
        r = self.cri.call("ContainerStatus", self.cri.pb.ContainerStatusRequest(
            container_id=cid, verbose=True))
        return json.loads(r.info["info"])["pid"]

    def measure_memory(self):
        for kind, samples in self.samples.items():
            for s in samples:
                pid = self.container_pid(s["cid"])
                self.app_pids.append((pid, start_time(pid)))
                shim = ppid(pid)
                if "containerd-shim" not in cmdline(shim):
                    raise Failure(f"{kind}: parent {shim} of container pid {pid} is not a shim: "
                                  f"{cmdline(shim)!r}")
                app = tree(pid)
                s["app_kib"] = sum(harness.pss_kib(p) or 0 for p in app)
                s["app_procs"] = len(app)
                s["shim_kib"] = harness.pss_kib(shim) or 0
                pause = [c for c in harness.children_of(shim) if c not in app]
                s["pause_kib"] = sum(harness.pss_kib(p) or 0 for p in pause)
                s["app_cmd"] = cmdline(pid)

    def run(self):
        n = self.args.count
        self.setup()
        # One of each first, not counted: the first wasm container fills the
        # code cache, and both warm containerd's image and snapshot paths.
        for kind in ("wasmrt", "runc"):
            self.start_one(kind, "warmup")
            self.samples[kind].clear()
        t0 = time.monotonic()
        for i in range(n):
            # Alternate which kind goes first, so neither always follows the other.
            order = ("wasmrt", "runc") if i % 2 == 0 else ("runc", "wasmrt")
            for kind in order:
                self.start_one(kind, i)
            if (i + 1) % 10 == 0:
                log(f"  {i + 1}/{n} pods of each kind ({time.monotonic() - t0:.0f} s)")
        log(f"settling {self.args.settle} s before reading memory")
        time.sleep(self.args.settle)
        self.measure_memory()
        self.report()

    def report(self):
        rows = []
        for kind, label in (("wasmrt", "wasmrt (idle_service.wasm)"),
                            ("runc", "runc + busybox sleep")):
            s = self.samples[kind]
            start = [x["start_ms"] for x in s]
            pod = [x["pod_ms"] for x in s]
            app = [x["app_kib"] for x in s]
            shim = [x["shim_kib"] for x in s]
            pause = [x["pause_kib"] for x in s]
            rows.append((label, len(s), percentile(start, 50), percentile(start, 95),
                         percentile(pod, 50), statistics.mean(app), max(app),
                         statistics.mean(shim), statistics.mean(pause),
                         statistics.mean(a + b + c for a, b, c in zip(app, shim, pause))))
        head = ("kind", "N", "start p50 ms", "start p95 ms", "pod p50 ms", "app PSS KiB",
                "app max KiB", "shim PSS KiB", "pause PSS KiB", "pod total KiB")
        table = [head] + [[r[0], str(r[1])] + [f"{v:.1f}" for v in r[2:5]] +
                          [f"{v:.0f}" for v in r[5:]] for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        print()
        for row in table:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths))))
        w = self.samples["wasmrt"]
        if w:
            print(f"\nwasmrt app processes per container: {w[0]['app_procs']} "
                  f"({w[0]['app_cmd'][:120]})")
        if self.args.json:
            with open(self.args.json, "w") as f:
                json.dump({k: [{x: y for x, y in s.items()} for s in v]
                           for k, v in self.samples.items()}, f, indent=1)

    def cleanup(self):
        if self.cri:
            self.cri.remove_pods_and_close(self.pods)
        if self.cd.proc:
            # Whatever a failed run left in our containerd's k8s.io namespace.
            self.cd.remove_all([NS])
        self.cd.stop()
        # A container process orphaned by a failed stop would outlive the run.
        for pid, started in self.app_pids:
            if started is not None and start_time(pid) == started:
                log(f"cleanup: container process {pid} still alive: {cmdline(pid)!r}")
        if not self.args.keep:
            import shutil
            import subprocess
            with open("/proc/self/mounts") as f:
                points = [line.split()[1] for line in f]
            for p in sorted((p for p in points if p.startswith(self.workdir + "/")),
                            reverse=True):
                subprocess.run(["umount", "-l", p], capture_output=True)
            shutil.rmtree(self.workdir, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--wasmrt-oci", required=True)
    p.add_argument("--pause", required=True)
    p.add_argument("--idle-wasm", required=True)
    p.add_argument("--busybox", default="/bin/busybox")
    p.add_argument("-n", "--count", type=int, default=100, help="pods of each kind (default 100)")
    p.add_argument("--settle", type=float, default=5.0,
                   help="seconds to wait before reading memory (default 5)")
    p.add_argument("--json", help="also write every sample to this file")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    # containerd runs the runtime from the shim's directory: relative paths break.
    for name in ("wasmrt_oci", "pause", "idle_wasm", "busybox"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    if args.count < 1:
        p.error("--count must be at least 1")
    for path in (args.wasmrt_oci, args.pause, args.idle_wasm, args.busybox):
        if not os.path.isfile(path):
            p.error(f"no such file: {path}")
    try:
        harness.check_environment()
    except Skip as e:
        print(f"cannot run: {e}")
        return 2
    b = Bench(args)
    try:
        b.run()
    except Failure as e:
        log(f"FAILED: {e}")
        log(b.cd.log_tail(30))
        return 1
    finally:
        b.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
