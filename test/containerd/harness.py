"""A private containerd for tests and benchmarks, and what they need with it.

Used by test/containerd/e2e.py (the CTest end-to-end test) and
bench/containerd/density.py. Everything is created under one temporary
directory; what containerd insists on putting under /run/containerd (shim
sockets, ctr's fifos, runc state of namespaces we name) is tracked and removed
by exact name, because other people may run containerd on the same machine.

- Containerd: writes a scratch config.toml (version 2) with a CRI runtime
  handler "wasmrt" whose BinaryName is the runtime under test, starts
  containerd, stops it by PID.
- build_image_tar(): an OCI image layout as a tar, for `ctr image import`
  (no registry anywhere).
- Cri: a minimal CRI runtime.v1 client, compiled from cri_subset.proto with
  grpc_tools at run time into the temporary directory.
"""

import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Where containerd 1.6 puts things no config option moves (toolchain notes).
RUN_DIR = "/run/containerd"
SHIM_SOCKET_DIR = os.path.join(RUN_DIR, "s")
FIFO_DIR = os.path.join(RUN_DIR, "fifo")


class Skip(Exception):
    """The environment cannot run the test (not root, containerd missing)."""


class Failure(Exception):
    """A check failed."""


def log(msg):
    print(msg, flush=True)


def check_environment(need_grpc=True):
    """Raises Skip with a clear reason when the machine cannot run containerd."""
    if os.geteuid() != 0:
        raise Skip("not root: containerd and runc need root")
    for tool in ("containerd", "ctr", "runc", "containerd-shim-runc-v2"):
        if shutil.which(tool) is None:
            raise Skip(f"'{tool}' not found on PATH (Debian: apt-get install containerd runc)")
    if need_grpc:
        try:
            import grpc  # noqa: F401
            import grpc_tools  # noqa: F401
        except ImportError as e:
            raise Skip(f"python module missing ({e}); Debian: apt-get install "
                       f"python3-grpcio python3-grpc-tools, run with /usr/bin/python3")


def wait_until(what, predicate, timeout, interval=0.05):
    """Polls predicate() until it returns something truthy; Failure after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# OCI images as tar files

def _tar_bytes(entries):
    """entries: list of (path, kind, data/target, mode). kind: file|dir|symlink."""
    buf = io.BytesIO()
    # Fixed mtimes, owners and order: the same inputs give the same layer digest,
    # so importing twice does not add blobs.
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, kind, payload, mode in entries:
            info = tarfile.TarInfo(path)
            info.mtime = 0
            info.uid = info.gid = 0
            info.mode = mode
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = payload
                tar.addfile(info)
            else:
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


WASM_VARIANT_ANNOTATION = "module.wasm.image/variant"


def build_image_tar(out_path, name, files, entrypoint, cmd=None, env=None,
                    workdir="/", wasm=False):
    """Writes an OCI image layout tar holding a one-layer image.

    files: list of (path, kind, payload, mode) as in _tar_bytes. name: the full
    reference (e.g. "localhost/wasmrt-e2e/app:1"), recorded as
    io.containerd.image.name so `ctr image import` uses it unchanged.
    wasm: adds the module.wasm.image/variant=compat-smart annotation to the
    manifest and a label to the config, the convention runwasi and crun read.
    Returns the image's config digest (its ID for CRI).
    """
    layer = _tar_bytes(files)
    config = {
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine,
                                                                   os.uname().machine),
        "os": "linux",
        "config": {
            "Entrypoint": entrypoint,
            "Cmd": cmd or [],
            "Env": env or ["PATH=/bin:/usr/bin"],
            "WorkingDir": workdir,
        },
        "rootfs": {"type": "layers", "diff_ids": [_digest(layer)]},
        "history": [{"created_by": "test/containerd/harness.py", "empty_layer": False}],
    }
    if wasm:
        config["config"]["Labels"] = {WASM_VARIANT_ANNOTATION: "compat-smart"}
    config_bytes = json.dumps(config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": _digest(config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": _digest(layer), "size": len(layer)}],
    }
    if wasm:
        manifest["annotations"] = {WASM_VARIANT_ANNOTATION: "compat-smart"}
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": _digest(manifest_bytes), "size": len(manifest_bytes),
            "platform": {"architecture": config["architecture"], "os": "linux"},
            "annotations": {"io.containerd.image.name": name,
                            "org.opencontainers.image.ref.name": tag},
        }],
    }
    blobs = [layer, config_bytes, manifest_bytes]
    entries = [("oci-layout", "file", b'{"imageLayoutVersion":"1.0.0"}', 0o644),
               ("index.json", "file", json.dumps(index).encode(), 0o644),
               ("blobs", "dir", None, 0o755), ("blobs/sha256", "dir", None, 0o755)]
    for blob in blobs:
        entries.append(("blobs/sha256/" + _digest(blob)[7:], "file", blob, 0o644))
    with open(out_path, "wb") as f:
        f.write(_tar_bytes(entries))
    return _digest(config_bytes)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def wasm_image_files(module_path, name="app.wasm"):
    """FROM scratch + COPY app.wasm /: the module is the whole root filesystem."""
    return [(name, "file", _read(module_path), 0o755)]


def busybox_image_files(busybox="/bin/busybox"):
    """A root filesystem of busybox-static and the applets the tests call."""
    files = [(d, "dir", None, 0o755) for d in ("bin", "dev", "etc", "proc", "sys", "tmp")]
    files.append(("bin/busybox", "file", _read(busybox), 0o755))
    for applet in ("sh", "echo", "cat", "sleep", "ls", "true", "false"):
        files.append(("bin/" + applet, "symlink", "busybox", 0o777))
    return files


def pause_image_files(pause_binary):
    return [("pause", "file", _read(pause_binary), 0o755)]


# ---------------------------------------------------------------------------
# containerd

CONFIG_TEMPLATE = """\
# Scratch containerd config written by test/containerd/harness.py.
version = 2
root = "{root}"
state = "{state}"
# Keeps containerd out of /opt/containerd.
disabled_plugins = ["io.containerd.internal.v1.opt"]

[grpc]
  address = "{grpc}"

[ttrpc]
  address = "{ttrpc}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{sandbox_image}"
  # The machine lacks CAP_SYS_RESOURCE: never lower a process's OOM score.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    # Pods here use host networking; empty directories keep /etc/cni untouched.
    bin_dir = "{cni_bin}"
    conf_dir = "{cni_conf}"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "{runc_root}"
    # The handler a RuntimeClass names (docs/KUBERNETES.md).
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.wasmrt]
      runtime_type = "io.containerd.runc.v2"
      # Lets wasmrt-oci see its annotations (io.wasmrt.tcplisten): CRI passes
      # pod and container annotations to the OCI spec only when listed here.
      pod_annotations = ["io.wasmrt.*"]
      container_annotations = ["io.wasmrt.*"]
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.wasmrt.options]
        BinaryName = "{runtime_binary}"
        Root = "{wasmrt_root}"
"""


class Containerd:
    """A containerd of our own: config, root, state and sockets in workdir."""

    def __init__(self, workdir, runtime_binary, sandbox_image):
        self.workdir = workdir
        self.runtime_binary = runtime_binary
        self.sandbox_image = sandbox_image
        self.address = os.path.join(workdir, "containerd.sock")
        self.log_path = os.path.join(workdir, "containerd.log")
        self.runc_root = os.path.join(workdir, "runc-root")
        self.proc = None
        self._log_file = None
        # (namespace, shim id) pairs whose shim sockets we may have created.
        self.shim_ids = set()
        self.namespaces = set()

    def write_config(self):
        d = self.workdir
        paths = {"root": os.path.join(d, "root"), "state": os.path.join(d, "state"),
                 "cni_bin": os.path.join(d, "cni", "bin"),
                 "cni_conf": os.path.join(d, "cni", "conf")}
        for p in paths.values():
            os.makedirs(p, exist_ok=True)
        os.makedirs(self.runc_root, exist_ok=True)
        config = CONFIG_TEMPLATE.format(
            grpc=self.address, ttrpc=self.address + ".ttrpc",
            sandbox_image=self.sandbox_image, runtime_binary=self.runtime_binary,
            runc_root=os.path.join(self.runc_root, "cri-runc"),
            wasmrt_root=os.path.join(self.runc_root, "cri-wasmrt"), **paths)
        self.config_path = os.path.join(d, "config.toml")
        with open(self.config_path, "w") as f:
            f.write(config)

    def start(self, timeout=30):
        # Directories under /run/containerd that exist before we start belong to
        # someone else (another containerd may share the machine): never remove them.
        self._run_dirs_before = {p for p in self.RUN_DIRS if os.path.exists(p)}
        self.write_config()
        self._log_file = open(self.log_path, "wb")
        # The shims and the runtime binary inherit containerd's environment:
        # wasmrt-oci's code cache goes to the work directory, so a run starts
        # cold and leaves nothing in /var/cache/wasmrt.
        env = dict(os.environ, WASMRT_CACHE_DIR=os.path.join(self.workdir, "wasmrt-cache"))
        self.proc = subprocess.Popen(
            ["containerd", "--config", self.config_path, "--log-level", "debug"],
            stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True, env=env)

        def ready():
            if self.proc.poll() is not None:
                raise Failure(f"containerd exited with {self.proc.returncode}; "
                              f"log:\n{self.log_tail()}")
            if not os.path.exists(self.address):
                return False
            r = subprocess.run(["ctr", "-a", self.address, "version"],
                               capture_output=True, timeout=10)
            return r.returncode == 0
        wait_until("containerd to answer on " + self.address, ready, timeout, 0.1)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return "(no log)"

    def ctr(self, namespace, *args, timeout=60, check=True, input=None):
        """Runs ctr against our containerd; returns the CompletedProcess."""
        self.namespaces.add(namespace)
        cmd = ["ctr", "-a", self.address, "-n", namespace, *args]
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=timeout, input=input)
        except subprocess.TimeoutExpired as e:
            raise Failure(f"timed out after {timeout} s: {' '.join(cmd)}; "
                          f"stdout so far: {e.stdout!r}") from None
        if check and r.returncode != 0:
            raise Failure(f"{' '.join(cmd)} exited with {r.returncode}: "
                          f"{r.stderr.decode(errors='replace').strip()}")
        return r

    def import_image(self, namespace, tar_path):
        self.ctr(namespace, "image", "import", "--all-platforms", tar_path, timeout=120)

    def our_processes(self):
        """PIDs of processes started for this containerd: the shims, which name
        our socket address on their command line (and live on after containerd
        if a task is left)."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                cmdline = _read(f"/proc/{entry}/cmdline").split(b"\0")
            except OSError:
                continue
            if self.address.encode() in cmdline and int(entry) != getattr(self.proc, "pid", -1):
                pids.append(int(entry))
        return pids

    def remove_all(self, namespaces):
        """Best effort: kills and deletes every task and container in namespaces."""
        for ns in namespaces:
            try:
                r = self.ctr(ns, "containers", "list", "-q", check=False, timeout=20)
            except Failure:
                continue
            for cid in r.stdout.decode().split():
                self.shim_ids.add((ns, cid))
                # --force kills a running task (SIGKILL) before deleting it.
                self.ctr(ns, "task", "delete", "--force", cid, check=False, timeout=30)
                self.ctr(ns, "containers", "delete", cid, check=False, timeout=30)

    def stop(self):
        """Stops containerd by its PID, then any shim of ours still alive, then
        removes what we created under /run/containerd."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        # A shim still alive has containers that were not deleted (an aborted
        # run). Their processes are the shim's children (it is their subreaper):
        # kill them first, or they would outlive the shim as orphans.
        for shim in self.our_processes():
            self._note_shim_id(shim)
            # Children first (a container's init may be a grandchild: the
            # runtime's `create` forks it), the shim last.
            for pid in reversed(descendants(shim)):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self._log_file:
            self._log_file.close()
        self.clean_run_dir()

    def _note_shim_id(self, pid):
        """Records the (namespace, id) a shim serves, from its command line
        (`-namespace NS -id ID -address ...`), so its socket can be removed even
        when an aborted run never learnt the id."""
        try:
            args = _read(f"/proc/{pid}/cmdline").decode(errors="replace").split("\0")
        except OSError:
            return
        if "-namespace" in args and "-id" in args:
            ns = args[args.index("-namespace") + 1]
            shim_id = args[args.index("-id") + 1]
            self.shim_ids.add((ns, shim_id))

    def shim_socket_path(self, namespace, shim_id):
        # containerd 1.6 (runtime/v2/shim/util.go SocketAddress): the socket is
        # /run/containerd/s/<hex sha256 of "<containerd address>/<ns>/<id>">.
        h = hashlib.sha256(os.path.join(self.address, namespace, shim_id).encode()).hexdigest()
        return os.path.join(SHIM_SOCKET_DIR, h)

    def clean_run_dir(self):
        for ns, shim_id in self.shim_ids:
            for path in (self.shim_socket_path(ns, shim_id),):
                if os.path.lexists(path):
                    os.unlink(path)
        # ctr's fifo directories hold "<container id>-stdout" etc.; ours carry the
        # run's unique id prefix.
        if os.path.isdir(FIFO_DIR):
            for d in os.listdir(FIFO_DIR):
                full = os.path.join(FIFO_DIR, d)
                try:
                    names = os.listdir(full)
                except OSError:
                    continue
                if names and all(n.startswith(self.id_prefix) for n in names):
                    shutil.rmtree(full, ignore_errors=True)
        # runc state of the namespaces we named (ctr runs pass --runc-root, but a
        # default runtime run would land here).
        for ns in self.namespaces:
            p = os.path.join(RUN_DIR, "runc", ns)
            if ns.startswith(self.id_prefix) and os.path.isdir(p) and not os.listdir(p):
                os.rmdir(p)
        for p in self.RUN_DIRS:
            # Only directories our run created, and only once empty.
            if p in getattr(self, "_run_dirs_before", set(self.RUN_DIRS)):
                continue
            try:
                os.rmdir(p)
            except OSError:
                pass

    id_prefix = "wasmrt-e2e-"
    # Deepest first, the order they can be removed in.
    RUN_DIRS = (SHIM_SOCKET_DIR, FIFO_DIR, os.path.join(RUN_DIR, "runc"), RUN_DIR)


def make_workdir(prefix="wasmrt-e2e-"):
    # Short paths: unix socket paths are limited to 108 bytes.
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp")


# ---------------------------------------------------------------------------
# CRI client

def load_cri(workdir):
    """Compiles cri_subset.proto into workdir with grpc_tools; returns
    (pb2 module, pb2_grpc module). Generated code is never committed."""
    out = os.path.join(workdir, "cri-gen")
    os.makedirs(out, exist_ok=True)
    proto = os.path.join(HERE, "cri_subset.proto")
    r = subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", HERE,
                        "--python_out", out, "--grpc_python_out", out, proto],
                       capture_output=True)
    if r.returncode != 0:
        raise Failure("protoc failed: " + r.stderr.decode(errors="replace"))
    sys.path.insert(0, out)
    import cri_subset_pb2 as pb  # noqa: E402
    import cri_subset_pb2_grpc as pb_grpc  # noqa: E402
    return pb, pb_grpc


class Cri:
    """The RuntimeService calls the tests make, with a deadline on each."""

    def __init__(self, address, workdir):
        import grpc
        self.grpc = grpc
        self.pb, pb_grpc = load_cri(workdir)
        self.channel = grpc.insecure_channel("unix://" + address)
        self.rt = pb_grpc.RuntimeServiceStub(self.channel)
        self.img = pb_grpc.ImageServiceStub(self.channel)

    def call(self, method, request, timeout=60):
        try:
            return getattr(self.rt, method)(request, timeout=timeout)
        except self.grpc.RpcError as e:
            raise Failure(f"CRI {method} failed: {e.code()}: {e.details()}") from None

    def version(self):
        return self.call("Version", self.pb.VersionRequest(version="v1"))

    def sandbox_config(self, name, log_dir, annotations=None):
        pb = self.pb
        uid = name + "-uid"
        return pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=uid, namespace="wasmrt-e2e"),
            hostname="",
            log_directory=log_dir,
            annotations=annotations or {},
            linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=pb.NamespaceOption(network=pb.NODE, pid=pb.CONTAINER,
                                                     ipc=pb.POD))))

    def run_pod(self, config, handler):
        r = self.call("RunPodSandbox", self.pb.RunPodSandboxRequest(
            config=config, runtime_handler=handler), timeout=120)
        return r.pod_sandbox_id

    def create_container(self, pod_id, pod_config, name, image, log_path, args=(),
                         command=(), envs=None, mounts=(), annotations=None,
                         memory_limit=0):
        pb = self.pb
        linux = None
        if memory_limit:
            linux = pb.LinuxContainerConfig(
                resources=pb.LinuxContainerResources(memory_limit_in_bytes=memory_limit))
        config = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name), image=pb.ImageSpec(image=image),
            command=list(command), args=list(args),
            envs=[pb.KeyValue(key=k, value=v) for k, v in (envs or {}).items()],
            mounts=[pb.Mount(container_path=c, host_path=h, readonly=ro)
                    for c, h, ro in mounts],
            annotations=annotations or {}, log_path=log_path, linux=linux)
        r = self.call("CreateContainer", pb.CreateContainerRequest(
            pod_sandbox_id=pod_id, config=config, sandbox_config=pod_config), timeout=120)
        return r.container_id

    def start_container(self, cid):
        self.call("StartContainer", self.pb.StartContainerRequest(container_id=cid))

    def status(self, cid):
        return self.call("ContainerStatus",
                         self.pb.ContainerStatusRequest(container_id=cid)).status

    def wait_exited(self, cid, timeout):
        exited = self.pb.CONTAINER_EXITED
        return wait_until(f"container {cid[:12]} to exit",
                          lambda: (s := self.status(cid)).state == exited and s, timeout)

    def stop_container(self, cid, grace=0):
        self.call("StopContainer", self.pb.StopContainerRequest(container_id=cid,
                                                                 timeout=grace))

    def remove_container(self, cid):
        self.call("RemoveContainer", self.pb.RemoveContainerRequest(container_id=cid))

    def stop_pod(self, pod_id):
        self.call("StopPodSandbox", self.pb.StopPodSandboxRequest(pod_sandbox_id=pod_id))

    def remove_pod(self, pod_id):
        self.call("RemovePodSandbox", self.pb.RemovePodSandboxRequest(pod_sandbox_id=pod_id))

    def remove_pods_and_close(self, pod_ids):
        """Cleanup at the end of a run: stops and removes each pod, logging
        (not raising) what fails, then closes the channel."""
        for pod_id in list(pod_ids):
            try:
                self.stop_pod(pod_id)
                self.remove_pod(pod_id)
            except Failure as e:
                log(f"cleanup: {e}")
        self.close()

    def close(self):
        self.channel.close()


def read_cri_log(path):
    """Parses a CRI log file: lines '<RFC3339Nano time> <stream> <P|F> <text>'.
    Returns {"stdout": text, "stderr": text}; partial (P) lines are joined with
    the next line, full (F) lines end with a newline."""
    out = {"stdout": "", "stderr": ""}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 3)
            if len(parts) < 3 or parts[1] not in out or parts[2] not in ("P", "F"):
                raise Failure(f"{path}: not a CRI log line: {line!r}")
            text = parts[3] if len(parts) == 4 else ""
            out[parts[1]] += text + ("\n" if parts[2] == "F" else "")
    return out


# ---------------------------------------------------------------------------
# memory

def descendants(pid):
    """pid and every process below it, parents before children."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo += children_of(p)
    return out


def pss_kib(pid):
    """Proportional set size of one process in KiB (smaps_rollup), or None if
    it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def children_of(pid):
    """Direct children of pid, from /proc/<pid>/task/*/children."""
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                kids += [int(x) for x in _read(f"/proc/{pid}/task/{task}/children").split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids
