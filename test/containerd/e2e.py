#!/usr/bin/python3
"""End-to-end test: wasmrt-oci under containerd, through ctr and the CRI API.

Starts a private containerd (scratch config, everything under a temp dir),
builds OCI images as tar files (no registry) and imports them, then runs:

  ctr-wasm       a Wasm image with `ctr run --runc-binary wasmrt-oci`: stdout,
                 exit code, a file written into a bind-mounted directory
  ctr-busybox    a busybox image through the same runtime (delegated to runc)
  cri-wasm       the Wasm image in a pod (RunPodSandbox with host networking and
                 runtime handler "wasmrt"): CRI log file, exit code, the mount,
                 Stop/Remove
  cri-busybox    busybox in a pod of the same handler
  cri-http-hello examples/http-hello served from a pod, answered over loopback;
                 the listen address as a pod annotation (io.wasmrt.tcplisten)
  cri-http-hello-env  the same with WASMRT_TCPLISTEN in the container's env
  cri-bad-wasm   an image whose module is not valid wasm: a failed container
                 with an error, within a deadline (never a hung shim)
  cri-missing    an image whose entrypoint /app.wasm does not exist
  cri-trap       a guest that traps: exit status 134 and the trap in the log

Exit status: 0 all passed, 1 a failure, 77 skipped (not root, containerd or
the Python gRPC modules missing, or no wasmrt-oci given: then only the busybox
cases run, with runc itself as the runtime). CTest maps 77 to SKIP. With
WASMRT_REQUIRE_CONTAINERD=1 in the environment (CI) a skip is a failure.

Run through CTest (`ctest -L containerd`) or scripts/containerd-e2e.sh.
"""

import argparse
import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Failure, Skip, log  # noqa: E402

SKIP = 77
IMAGE_PREFIX = "localhost/wasmrt-e2e/"
PAUSE_IMAGE = IMAGE_PREFIX + "pause:1"
K8S_NS = "k8s.io"


class Abort(BaseException):
    """The run's deadline passed or a signal came: not caught per case (it is
    not an Exception), only by main, which then cleans up."""


def expect(cond, what):
    if not cond:
        raise Failure(what)


def expect_in(needle, haystack, where):
    if needle not in haystack:
        raise Failure(f"expected {needle!r} in {where}; got:\n{haystack}")


class E2E:
    def __init__(self, args):
        self.args = args
        self.oci = args.wasmrt_oci
        self.runtime = self.oci or shutil.which("runc")
        self.workdir = harness.make_workdir()
        self.prefix = f"wasmrt-e2e-{os.getpid()}-"
        self.ns = self.prefix + "ctr"
        self.cd = harness.Containerd(self.workdir, self.runtime, PAUSE_IMAGE)
        self.cd.id_prefix = self.prefix
        self.cri = None
        self.pods = []           # CRI pod sandbox ids to stop and remove
        self.images = {}         # short name -> (reference, config digest)
        self.results = []

    # -- setup ------------------------------------------------------------
    def build_images(self):
        a = self.args
        specs = {
            "pause": (harness.pause_image_files(a.pause), ["/pause"], False),
            "busybox": (harness.busybox_image_files(a.busybox), ["/bin/sh"], False),
        }
        if self.oci:
            specs["app"] = (harness.wasm_image_files(a.app_wasm), ["/app.wasm"], True)
            specs["http-hello"] = (harness.wasm_image_files(a.http_hello, "http-hello.wasm"),
                                   ["/http-hello.wasm"], True)
            # Starts with the wasm magic, so it is taken for a module, but is
            # truncated after the version field's first byte.
            bad = os.path.join(self.workdir, "bad.wasm")
            with open(bad, "wb") as f:
                f.write(b"\0asm\x01")
            specs["bad"] = (harness.wasm_image_files(bad), ["/app.wasm"], True)
            # The entrypoint names a module the image lacks (wasmrt-oci takes a
            # missing "*.wasm" entrypoint for Wasm: docs/OCI.md, "Wasm detection
            # and delegation").
            specs["missing"] = (harness.wasm_image_files(bad, "other.wasm"), ["/app.wasm"],
                                True)
        for name, (files, entrypoint, wasm) in specs.items():
            ref = IMAGE_PREFIX + name + ":1"
            tar = os.path.join(self.workdir, name + ".tar")
            digest = harness.build_image_tar(tar, ref, files, entrypoint, wasm=wasm)
            self.images[name] = (ref, digest)
            # ctr cases use a namespace of their own; CRI only sees "k8s.io".
            self.cd.import_image(self.ns, tar)
            self.cd.import_image(K8S_NS, tar)

    # -- ctr ----------------------------------------------------------------
    def ctr_run(self, image, cid, args, mounts=(), env=(), timeout=60):
        """`ctr run --rm` with the runtime under test; returns (status, stdout, stderr)."""
        cmd = ["run", "--rm", "--runtime", "io.containerd.runc.v2",
               "--runc-binary", self.runtime,
               "--runc-root", os.path.join(self.cd.runc_root, "ctr")]
        for src, dst in mounts:
            cmd += ["--mount", f"type=bind,src={src},dst={dst},options=rbind:rw"]
        for e in env:
            cmd += ["--env", e]
        cmd += [self.images[image][0], self.prefix + cid, *args]
        self.cd.shim_ids.add((self.ns, self.prefix + cid))
        r = self.cd.ctr(self.ns, *cmd, timeout=timeout, check=False)
        return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    def test_ctr_wasm(self):
        data = os.path.join(self.workdir, "ctr-data")
        os.makedirs(data)
        status, out, err = self.ctr_run(
            "app", "app", ["/app.wasm", "--write", "/data/out.txt", "written by wasm",
                           "--exit", "7", "one", "two words"],
            mounts=[(data, "/data")], env=["E2E_GREETING=hi there"])
        log(f"    ctr run: status {status}; stdout:\n{indent(out)}    stderr:\n{indent(err)}")
        expect(status == 7, f"exit status {status}, expected 7 (stderr: {err.strip()})")
        for line in ("e2e-app: hello", "e2e-app: word one", "e2e-app: word two words",
                     "e2e-app: wrote /data/out.txt", "e2e-app: env E2E_GREETING=hi there"):
            expect_in(line, out, "stdout")
        with open(os.path.join(data, "out.txt")) as f:
            content = f.read()
        expect(content == "written by wasm", f"/data/out.txt holds {content!r}")

    def test_ctr_busybox(self):
        data = os.path.join(self.workdir, "ctr-bb-data")
        os.makedirs(data)
        status, out, err = self.ctr_run(
            "busybox", "busybox",
            ["/bin/sh", "-c", "echo busybox says hi; echo from-busybox > /data/bb.txt; exit 5"],
            mounts=[(data, "/data")])
        log(f"    ctr run: status {status}; stdout:\n{indent(out)}")
        expect(status == 5, f"exit status {status}, expected 5 (stderr: {err.strip()})")
        expect_in("busybox says hi", out, "stdout")
        with open(os.path.join(data, "bb.txt")) as f:
            expect(f.read() == "from-busybox\n", "bb.txt content")

    # -- CRI ----------------------------------------------------------------
    def pod(self, name, annotations=None):
        log_dir = os.path.join(self.workdir, "pods", name)
        os.makedirs(log_dir, exist_ok=True)
        config = self.cri.sandbox_config(self.prefix + name, log_dir, annotations)
        pod_id = self.cri.run_pod(config, "wasmrt")
        self.pods.append(pod_id)
        self.cd.shim_ids.add((K8S_NS, pod_id))
        return pod_id, config, log_dir

    def finish_pod(self, pod_id):
        self.cri.stop_pod(pod_id)
        self.cri.remove_pod(pod_id)
        self.pods.remove(pod_id)

    def run_to_exit(self, pod_id, config, log_dir, name, image, args, timeout=60, **kw):
        cid = self.cri.create_container(pod_id, config, name, self.images[image][1],
                                        name + ".log", args=args, **kw)
        self.cri.start_container(cid)
        st = self.cri.wait_exited(cid, timeout)
        logs = harness.read_cri_log(os.path.join(log_dir, name + ".log"))
        log(f"    {name}: exit {st.exit_code} ({st.reason}); log stdout:\n"
            f"{indent(logs['stdout'])}    log stderr:\n{indent(logs['stderr'])}")
        return cid, st, logs

    def test_cri_wasm(self):
        pod_id, config, log_dir = self.pod("wasm")
        data = os.path.join(self.workdir, "cri-data")
        os.makedirs(data)
        cid, st, logs = self.run_to_exit(
            pod_id, config, log_dir, "app", "app",
            ["--write", "/data/cri.txt", "written through CRI", "--exit", "3", "pod-word"],
            envs={"E2E_GREETING": "from CRI"}, mounts=[("/data", data, False)])
        expect(st.exit_code == 3, f"exit code {st.exit_code}, expected 3")
        for line in ("e2e-app: hello", "e2e-app: word pod-word",
                     "e2e-app: env E2E_GREETING=from CRI"):
            expect_in(line, logs["stdout"], "the CRI log's stdout")
        expect_in("e2e-app: to stderr", logs["stderr"], "the CRI log's stderr")
        with open(os.path.join(data, "cri.txt")) as f:
            expect(f.read() == "written through CRI", "cri.txt content")
        self.cri.stop_container(cid)
        self.cri.remove_container(cid)
        self.finish_pod(pod_id)

    def test_cri_busybox(self):
        pod_id, config, log_dir = self.pod("busybox")
        cid, st, logs = self.run_to_exit(
            pod_id, config, log_dir, "bb", "busybox",
            ["-c", "echo busybox in a pod; echo to-stderr >&2; exit 4"])
        expect(st.exit_code == 4, f"exit code {st.exit_code}, expected 4")
        expect_in("busybox in a pod", logs["stdout"], "the CRI log's stdout")
        expect_in("to-stderr", logs["stderr"], "the CRI log's stderr")
        self.cri.remove_container(cid)
        self.finish_pod(pod_id)

    def http_hello(self, name, pod_annotations=None, envs=None, listen=None):
        """Serves examples/http-hello from a host-network pod and asks it over
        loopback; then StopContainer with a grace period."""
        port = int(listen.rsplit(":", 1)[1])
        pod_id, config, log_dir = self.pod(name, pod_annotations)
        cid = self.cri.create_container(pod_id, config, "http", self.images["http-hello"][1],
                                        "http.log", envs=envs)
        self.cri.start_container(cid)
        body = harness.wait_until(f"http-hello to answer on {listen}",
                                  lambda: http_get(port), 30, 0.1)
        log(f"    GET http://{listen}/ -> {body!r}")
        expect_in("Hello from wasmrt", body, "the response")
        # A second request on a fresh connection, then stop it with a grace period.
        expect_in("Hello from wasmrt", http_get(port) or "", "the second response")
        t0 = time.monotonic()
        self.cri.stop_container(cid, grace=5)
        st = self.cri.status(cid)
        log(f"    stopped in {time.monotonic() - t0:.2f} s: state {st.state}, exit {st.exit_code}")
        expect(st.state == self.cri.pb.CONTAINER_EXITED, f"state {st.state} after StopContainer")
        self.cri.remove_container(cid)
        self.finish_pod(pod_id)

    def test_cri_http_hello(self):
        # The Kubernetes way: a pod annotation (the handler's pod_annotations lets
        # it through to the OCI spec); wasmrt-oci binds the address for the guest.
        listen = f"127.0.0.1:{harness.free_port()}"
        self.http_hello("http", pod_annotations={"io.wasmrt.tcplisten": listen}, listen=listen)

    def test_cri_http_hello_env(self):
        # The same through the container's environment (WASMRT_TCPLISTEN).
        listen = f"127.0.0.1:{harness.free_port()}"
        self.http_hello("http-env", envs={"WASMRT_TCPLISTEN": listen}, listen=listen)

    def expect_failed_container(self, image, name):
        """Bad input: CreateContainer or StartContainer fails with an error, or
        the container exits non-zero; within the deadline either way. Returns
        the error text (the RPC's, else the container's stderr)."""
        pod_id, config, log_dir = self.pod(name)
        try:
            cid = self.cri.create_container(pod_id, config, name, self.images[image][1],
                                            name + ".log")
        except Failure as e:
            log(f"    create refused: {e}")
            self.finish_pod(pod_id)
            return str(e)
        try:
            self.cri.start_container(cid)
            st = self.cri.wait_exited(cid, 30)
            logs = harness.read_cri_log(os.path.join(log_dir, name + ".log"))
            log(f"    exit {st.exit_code}; stderr:\n{indent(logs['stderr'])}")
            expect(st.exit_code != 0, f"{name}: exited with 0")
            text = logs["stderr"]
        except Failure as e:
            if "StartContainer failed" not in str(e):
                raise
            log(f"    start refused: {e}")
            text = str(e)
        self.cri.remove_container(cid)
        self.finish_pod(pod_id)
        return text

    def test_cri_bad_wasm(self):
        err = self.expect_failed_container("bad", "bad")
        expect_in("malformed", err, "the error")

    def test_cri_missing_module(self):
        err = self.expect_failed_container("missing", "missing")
        expect_in("app.wasm", err, "the error")

    def test_cri_trap(self):
        pod_id, config, log_dir = self.pod("trap")
        cid, st, logs = self.run_to_exit(pod_id, config, log_dir, "trap", "app",
                                         ["before-trap", "--trap"])
        expect(st.exit_code == 134, f"exit code {st.exit_code}, expected 134 (a trap)")
        expect_in("unreachable", logs["stderr"], "the CRI log's stderr")
        self.cri.remove_container(cid)
        self.finish_pod(pod_id)

    # -- driver -------------------------------------------------------------
    def run(self):
        tests = [("ctr-busybox", self.test_ctr_busybox)]
        if self.oci:
            tests.insert(0, ("ctr-wasm", self.test_ctr_wasm))
        cri_tests = [("cri-busybox", self.test_cri_busybox)]
        if self.oci:
            cri_tests = [("cri-wasm", self.test_cri_wasm), ("cri-busybox", self.test_cri_busybox),
                         ("cri-http-hello", self.test_cri_http_hello),
                         ("cri-http-hello-env", self.test_cri_http_hello_env),
                         ("cri-bad-wasm", self.test_cri_bad_wasm),
                         ("cri-missing", self.test_cri_missing_module),
                         ("cri-trap", self.test_cri_trap)]
        if self.args.only:
            keep = set(self.args.only.split(","))
            tests = [t for t in tests if t[0] in keep]
            cri_tests = [t for t in cri_tests if t[0] in keep]
        t0 = time.monotonic()
        self.cd.start()
        log(f"containerd pid {self.cd.proc.pid}, runtime {self.runtime}, workdir {self.workdir}"
            f" ({time.monotonic() - t0:.1f} s to start)")
        self.build_images()
        log(f"images built and imported ({time.monotonic() - t0:.1f} s)")
        if cri_tests:
            self.cri = harness.Cri(self.cd.address, self.workdir)
            v = self.cri.version()
            log(f"CRI: {v.runtime_name} {v.runtime_version}, API {v.runtime_api_version}")
        for name, fn in tests + cri_tests:
            t = time.monotonic()
            log(f"--- {name}")
            try:
                fn()
                self.results.append((name, "PASS", time.monotonic() - t))
            except Exception as e:  # one failed case must not hide the others
                self.results.append((name, "FAIL", time.monotonic() - t))
                log(f"    FAIL: {e}")
                if not isinstance(e, Failure):
                    traceback.print_exc()
        log("")
        for name, res, secs in self.results:
            log(f"{res}  {name}  ({secs:.2f} s)")

    def cleanup(self):
        failed = any(r[1] == "FAIL" for r in self.results)
        if self.cri:
            self.cri.remove_pods_and_close(self.pods)
        if self.cd.proc:
            # Our containerd's k8s.io namespace holds only what this run made:
            # also the pods an aborted run never learnt the ids of.
            self.cd.remove_all([self.ns, K8S_NS])
            if failed:
                log("containerd log (tail):\n" + self.cd.log_tail(60))
        self.cd.stop()
        unmount_under(self.workdir)
        if self.args.keep:
            log(f"kept {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def http_get(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/")
        body = c.getresponse().read().decode(errors="replace")
        c.close()
        return body
    except OSError:
        return None


def indent(text):
    return "".join("      " + line + "\n" for line in text.splitlines())


def unmount_under(directory):
    """Unmounts anything containerd left mounted below directory (deepest first),
    so removing it cannot reach into a container's root filesystem."""
    with open("/proc/self/mounts") as f:
        points = [line.split()[1] for line in f]
    for p in sorted((p for p in points if p.startswith(directory + "/")), reverse=True):
        subprocess.run(["umount", "-l", p], capture_output=True)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--wasmrt-oci", default="",
                   help="the runtime binary under test; empty: only the busybox cases, with runc")
    p.add_argument("--pause", required=True, help="static pause binary for the sandbox image")
    p.add_argument("--app-wasm", required=True, help="test/containerd/programs/e2e_app.c as wasm")
    p.add_argument("--http-hello", required=True, help="examples/http-hello as wasm")
    p.add_argument("--busybox", default="/bin/busybox", help="a static busybox")
    p.add_argument("--only", default="", help="comma-separated case names")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--deadline", type=int, default=240,
                   help="seconds for the whole run before it stops and cleans up "
                        "(default 240, under CTest's 300)")
    args = p.parse_args()
    # containerd runs the runtime from the shim's directory: relative paths break.
    for name in ("wasmrt_oci", "pause", "app_wasm", "http_hello", "busybox"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    for path in (args.pause, args.app_wasm, args.http_hello, args.busybox):
        if not os.path.isfile(path):
            p.error(f"no such file: {path}")
    if args.wasmrt_oci and not os.access(args.wasmrt_oci, os.X_OK):
        p.error(f"--wasmrt-oci {args.wasmrt_oci}: not an executable file")
    # CI sets WASMRT_REQUIRE_CONTAINERD=1: there a skip would hide a broken setup.
    skip = 1 if os.environ.get("WASMRT_REQUIRE_CONTAINERD") == "1" else SKIP
    try:
        harness.check_environment()
    except Skip as e:
        print(f"{'FAIL' if skip == 1 else 'SKIP'}: {e}")
        return skip
    # A static busybox is needed in an empty image; a dynamic one would not run.
    if b"ld-linux" in open(args.busybox, "rb").read(4096):
        print(f"SKIP: {args.busybox} is dynamically linked (Debian: apt-get install busybox-static)")
        return skip
    # CTest's timeout kills this process, and then nothing would stop the
    # containerd and shims it started (their own session): give up earlier,
    # ourselves, and clean up. SIGTERM and SIGINT clean up the same way.
    def give_up(signum, frame):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        raise Abort(f"stopped by {signal.Signals(signum).name}"
                      + (f" after the {args.deadline} s deadline" if signum == signal.SIGALRM
                         else ""))
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, give_up)
    signal.alarm(args.deadline)
    e2e = E2E(args)
    t0 = time.monotonic()
    try:
        e2e.run()
    except (Failure, Abort) as e:
        log(f"FAIL: {e}")
        e2e.results.append(("setup" if isinstance(e, Failure) else "deadline", "FAIL", 0))
    finally:
        signal.alarm(0)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # let cleanup finish
        e2e.cleanup()
    log(f"total {time.monotonic() - t0:.1f} s")
    if any(r[1] == "FAIL" for r in e2e.results):
        return 1
    if not args.wasmrt_oci:
        print("SKIP: no --wasmrt-oci: the Wasm cases did not run (busybox cases passed with runc)")
        return skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
