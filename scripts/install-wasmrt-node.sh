#!/usr/bin/env bash
# Installs wasmrt on a Kubernetes node that runs containerd, so pods with
# `runtimeClassName: wasmrt` run their Wasm modules under wasmrt (docs/KUBERNETES.md):
#
#   1. copies wasmrt-oci, wasmrt and the compiler plugin to PREFIX (bin/ and
#      lib/wasmrt/, where wasmrt's loader looks for the plugin);
#   2. adds the runtime handler "wasmrt" (runc shim, BinaryName = PREFIX/bin/wasmrt-oci)
#      to containerd's config.toml, idempotently: the handler lives between two
#      marker comments and is replaced, not duplicated, on a re-run;
#   3. restarts containerd (systemd) so it reads the new config.
#
# Usage: install-wasmrt-node.sh [options]
#   --from DIR        where the binaries are: a wasmrt build directory or a flat
#                     directory holding wasmrt-oci, wasmrt, libwasmrt-compiler.so
#                     (default: the directory of this script's ../build)
#   --prefix DIR      install under DIR/bin and DIR/lib/wasmrt (default /usr/local)
#   --config FILE     containerd's config (default /etc/containerd/config.toml)
#   --handler NAME    the runtime handler name (default wasmrt)
#   --skip-binaries   only patch the config
#   --no-restart      do not restart containerd
#   --dry-run         change nothing: print what would be copied and the patched config
#   -h, --help
#
# Works with containerd config versions 2 (containerd 1.x) and 3 (2.x); a missing
# config file is created as version 2. Version 1 configs are refused: migrate
# them first (`containerd config migrate`).
set -euo pipefail

prog=$(basename "$0")
die() { echo "$prog: error: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

from="$(cd "$(dirname "$0")/.." && pwd)/build"
prefix=/usr/local
config=/etc/containerd/config.toml
handler=wasmrt
skip_binaries=0
restart=1
dry_run=0

while [ $# -gt 0 ]; do
  case "$1" in
    --from) [ $# -ge 2 ] || die "--from needs a directory"; from=$2; shift 2 ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --config) [ $# -ge 2 ] || die "--config needs a file"; config=$2; shift 2 ;;
    --handler) [ $# -ge 2 ] || die "--handler needs a name"; handler=$2; shift 2 ;;
    --skip-binaries) skip_binaries=1; shift ;;
    --no-restart) restart=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

# A handler name becomes part of a TOML key and a RuntimeClass's `handler`:
# keep it to what Kubernetes accepts there (a DNS label).
[[ "$handler" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
  die "--handler '$handler': use lower-case letters, digits and '-' (a DNS label)"
case "$prefix" in /*) ;; *) die "--prefix '$prefix' must be an absolute path" ;; esac

binary="$prefix/bin/wasmrt-oci"

# --- 1. binaries -------------------------------------------------------------
# Finds NAME in the build-tree layout or the flat layout.
find_artifact() {
  local name=$1 sub=$2
  if [ -f "$from/$sub/$name" ]; then echo "$from/$sub/$name"
  elif [ -f "$from/$name" ]; then echo "$from/$name"
  else return 1; fi
}

install_binaries() {
  [ -d "$from" ] || die "--from '$from': no such directory"
  local oci cli plugin
  oci=$(find_artifact wasmrt-oci tools/wasmrt-oci) || die "no wasmrt-oci under '$from' (build it: cmake --build build --target wasmrt-oci)"
  cli=$(find_artifact wasmrt tools/wasmrt) || die "no wasmrt under '$from'"
  plugin=$(find_artifact libwasmrt-compiler.so lib/wasmrt) || die "no libwasmrt-compiler.so under '$from'"
  if [ "$dry_run" = 1 ]; then
    echo "would install $oci -> $prefix/bin/wasmrt-oci"
    echo "would install $cli -> $prefix/bin/wasmrt"
    echo "would install $plugin -> $prefix/lib/wasmrt/libwasmrt-compiler.so"
    return
  fi
  # install(1) writes a new file and renames it, so a running container keeps
  # its old binary and the next one gets the new one.
  install -D -m 0755 "$oci" "$prefix/bin/wasmrt-oci"
  install -D -m 0755 "$cli" "$prefix/bin/wasmrt"
  install -D -m 0644 "$plugin" "$prefix/lib/wasmrt/libwasmrt-compiler.so"
  echo "installed wasmrt-oci, wasmrt and libwasmrt-compiler.so under $prefix"
}

# --- 2. containerd config ----------------------------------------------------
begin_marker="# BEGIN wasmrt runtime handler '$handler' (scripts/install-wasmrt-node.sh)"
end_marker="# END wasmrt runtime handler '$handler'"

# The version of an existing config: its top-level `version = N`, 1 if absent
# (containerd's rule).
config_version() {
  local v
  v=$(sed -n 's/^[[:space:]]*version[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$1" | head -n1)
  echo "${v:-1}"
}

handler_block() {
  local runtimes
  case "$1" in
    2) runtimes='plugins."io.containerd.grpc.v1.cri".containerd.runtimes' ;;
    3) runtimes='plugins."io.containerd.cri.v1.runtime".containerd.runtimes' ;;
  esac
  cat <<EOF
$begin_marker
# Wasm and Linux containers alike: wasmrt-oci runs a Wasm entrypoint itself
# and hands every other container to runc.
[$runtimes.$handler]
  runtime_type = "io.containerd.runc.v2"
  # CRI hands pod and container annotations to the runtime only when listed:
  # wasmrt-oci reads io.wasmrt.tcplisten (docs/OCI.md).
  pod_annotations = ["io.wasmrt.*"]
  container_annotations = ["io.wasmrt.*"]
  [$runtimes.$handler.options]
    BinaryName = "$binary"
$end_marker
EOF
}

# The config on stdin without our block (from an earlier run).
without_block() {
  awk -v b="$begin_marker" -v e="$end_marker" '
    $0 == b { skip = 1; next }
    $0 == e { skip = 0; next }
    !skip { print }'
}

# Writes the patched config to stdout.
patched_config() {
  local version=2
  if [ -f "$config" ]; then
    version=$(config_version "$config")
    case "$version" in
      2|3) ;;
      1) die "$config is a version 1 config (no 'version = 2'); migrate it first: containerd config migrate" ;;
      *) die "$config: unsupported config version '$version' (2 and 3 are supported)" ;;
    esac
    # A handler of this name written by hand would make a duplicate TOML table.
    if without_block < "$config" | grep -Eq "^[[:space:]]*\[.*\.runtimes\.\"?$handler\"?\]"; then
      die "$config already defines a runtime '$handler' outside this script's markers; remove it or pick another --handler"
    fi
    # Everything but our old block, then the new block at the end (TOML allows
    # a sub-table after its parents, wherever they are).
    without_block < "$config" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
    echo
  else
    echo "version = 2"
    echo
  fi
  handler_block "$version"
}

patch_config() {
  local new
  new=$(mktemp "${TMPDIR:-/tmp}/wasmrt-containerd-config.XXXXXX")
  # A subshell, so an error in it (die) still lets us remove the temp file.
  ( patched_config ) > "$new" || { rm -f "$new"; exit 1; }
  # containerd parses it the way it will at start-up; a config it cannot read
  # must never replace a working one.
  if command -v containerd >/dev/null 2>&1; then
    containerd --config "$new" config dump >/dev/null 2>"$new.err" ||
      { cat "$new.err" >&2; rm -f "$new.err" "$new"; die "containerd cannot read the patched config; $config left unchanged"; }
    rm -f "$new.err"
  fi
  if [ "$dry_run" = 1 ]; then
    echo "would write $config:"
    cat "$new"
    rm -f "$new"
    return
  fi
  if [ -f "$config" ] && cmp -s "$new" "$config"; then
    echo "$config already has runtime handler '$handler'"
    rm -f "$new"
    return
  fi
  mkdir -p "$(dirname "$config")"
  # One backup of the config as it was before wasmrt ever touched it.
  if [ -f "$config" ] && [ ! -f "$config.before-wasmrt" ]; then
    cp -p "$config" "$config.before-wasmrt"
  fi
  # Same directory, then rename: containerd never sees a half-written file.
  local tmp="$config.wasmrt-new"
  cat "$new" > "$tmp"
  rm -f "$new"
  [ -f "$config" ] && chmod --reference="$config" "$tmp"
  mv -f "$tmp" "$config"
  echo "added runtime handler '$handler' (BinaryName $binary) to $config"
  config_changed=1
}

# --- 3. restart ----------------------------------------------------------------
restart_containerd() {
  if [ "$dry_run" = 1 ]; then
    echo "would restart containerd"
    return
  fi
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl restart containerd
    echo "restarted containerd"
  else
    # Without systemd we cannot know how containerd was started; stopping it by
    # name could hit someone else's.
    echo "not restarted: no systemd here; restart containerd yourself so it reads $config"
  fi
}

config_changed=0
[ "$skip_binaries" = 1 ] || install_binaries
patch_config
if [ "$restart" = 1 ] && { [ "$config_changed" = 1 ] || [ "$dry_run" = 1 ]; }; then
  restart_containerd
fi
cat <<EOF
Next: create the RuntimeClass once per cluster (docs/KUBERNETES.md):
  kubectl apply -f - <<<'{"apiVersion":"node.k8s.io/v1","kind":"RuntimeClass","metadata":{"name":"$handler"},"handler":"$handler"}'
EOF
