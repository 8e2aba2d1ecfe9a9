#!/usr/bin/env bash
# CTest containerd/node-installer: scripts/install-wasmrt-node.sh patches a
# scratch containerd config correctly and idempotently, never restarts anything
# (--no-restart, --dry-run) and refuses configs it cannot patch safely.
# Usage: node_installer_test.sh PATH/TO/install-wasmrt-node.sh
set -euo pipefail
installer=${1:?usage: $0 install-wasmrt-node.sh}
work=$(mktemp -d "${TMPDIR:-/tmp}/wasmrt-node-installer.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { bash "$installer" --skip-binaries --no-restart "$@"; }
count() { grep -c -F "$1" "$2" || true; }

# An existing version 2 config with settings of its own, which must survive.
cfg=$work/config.toml
cat > "$cfg" <<'TOML'
version = 2
root = "/var/lib/containerd"

[plugins."io.containerd.grpc.v1.cri"]
  max_container_log_line_size = 12345
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
TOML
cp "$cfg" "$work/original.toml"

# --dry-run writes nothing and shows the handler.
out=$(run --dry-run --config "$cfg")
cmp -s "$cfg" "$work/original.toml" || fail "--dry-run changed the config"
grep -q 'BinaryName = "/usr/local/bin/wasmrt-oci"' <<<"$out" || fail "--dry-run output lacks BinaryName: $out"

# First run: the handler is added, everything else kept, a backup made.
run --config "$cfg" >/dev/null
grep -q '^\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.wasmrt\]$' "$cfg" || fail "no wasmrt table"
grep -q 'runtime_type = "io.containerd.runc.v2"' "$cfg" || fail "no runtime_type"
grep -q "max_container_log_line_size = 12345" "$cfg" || fail "existing setting lost"
cmp -s "$cfg.before-wasmrt" "$work/original.toml" || fail "no backup of the original"
cp "$cfg" "$work/after-first.toml"

# Second run: nothing changes (idempotent).
out=$(run --config "$cfg")
cmp -s "$cfg" "$work/after-first.toml" || { diff "$work/after-first.toml" "$cfg"; fail "second run changed the config"; }
grep -q "already has" <<<"$out" || fail "second run did not say it had nothing to do: $out"

# Another prefix replaces the block instead of adding a second one.
run --config "$cfg" --prefix /opt/wasmrt >/dev/null
[ "$(count '.runtimes.wasmrt]' "$cfg")" = 1 ] || fail "handler table duplicated"
grep -q 'BinaryName = "/opt/wasmrt/bin/wasmrt-oci"' "$cfg" || fail "BinaryName not updated"
cmp -s "$cfg.before-wasmrt" "$work/original.toml" || fail "backup overwritten"

# A second handler name sits beside the first.
run --config "$cfg" --handler wasmrt-fast >/dev/null
grep -q '\.runtimes\.wasmrt-fast\]$' "$cfg" || fail "second handler missing"
[ "$(count '.runtimes.wasmrt]' "$cfg")" = 1 ] || fail "first handler lost or duplicated"

# containerd reads the result and sees the handler (when containerd is installed).
if command -v containerd >/dev/null; then
  dump=$(containerd --config "$cfg" config dump)
  grep -q 'BinaryName = "/opt/wasmrt/bin/wasmrt-oci"' <<<"$dump" || fail "containerd does not see the handler"
fi

# No config yet: a version 2 config is created.
new=$work/new/config.toml
run --config "$new" >/dev/null
head -n1 "$new" | grep -q '^version = 2$' || fail "new config is not version 2"
grep -q 'runtimes.wasmrt\]$' "$new" || fail "new config lacks the handler"

# Version 3 (containerd 2.x) uses the CRI runtime plugin's new name.
v3=$work/v3.toml
printf 'version = 3\n' > "$v3"
run --config "$v3" >/dev/null
grep -q '^\[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.wasmrt\]$' "$v3" || fail "v3 table wrong"

# Refusals, each with a clear message and the config untouched.
expect_refusal() {
  local what=$1 file=$2; shift 2
  cp "$file" "$work/before-refusal"
  if out=$(run --config "$file" "$@" 2>&1); then fail "$what: accepted"; fi
  grep -q "error:" <<<"$out" || fail "$what: no error message: $out"
  cmp -s "$file" "$work/before-refusal" || fail "$what: config changed"
  echo "refused ($what): $out"
}
v1=$work/v1.toml
printf '[plugins.cri]\n  sandbox_image = "x"\n' > "$v1"
expect_refusal "version 1 config" "$v1"
hand=$work/hand.toml
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.wasmrt]\n  runtime_type = "io.containerd.runc.v2"\n' > "$hand"
expect_refusal "handler written by hand" "$hand"
expect_refusal "bad handler name" "$cfg" --handler 'Bad Name'
expect_refusal "relative prefix" "$cfg" --prefix opt
expect_refusal "unknown option" "$cfg" --frobnicate
if command -v containerd >/dev/null; then
  broken=$work/broken.toml
  printf 'version = 2\n[plugins\n' > "$broken"
  expect_refusal "unparsable config" "$broken"
fi
echo "PASS"
