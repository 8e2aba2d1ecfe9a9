#!/usr/bin/env bash
# Fetches the Debian source packages of the large real programs benchmarked by
# bench/large (docs/BENCHMARKS-LARGE.md). Run it once by hand; the normal build
# and the tests never download anything.
#
#   scripts/fetch-large-programs.sh [DEST]     (default: bench/large/src, gitignored)
#
# Idempotent: a package whose source tree is already unpacked in DEST is skipped.
# Needs apt with source ("deb-src") entries. When the system has none, this script
# adds them as a copy of the existing binary entries (same archives, suites and
# keys, only the type changed) in /etc/apt/sources.list.d/wasmrt-deb-src.sources
# (or .list) and runs `apt-get update` once. Run as root (or with sudo available).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/bench/large/src}
packages=(lua5.4 sqlite3 zstd wabt)

if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "fetch-large-programs: adding apt source entries needs root (or sudo)" >&2; exit 1; fi
for tool in apt-get dpkg-source; do
  if ! command -v "$tool" >/dev/null; then
    echo "fetch-large-programs: '$tool' not found (Debian/Ubuntu with dpkg-dev needed)." >&2
    [ "$tool" = dpkg-source ] && echo "  install it with: ${sudo[*]} apt-get install -y dpkg-dev" >&2
    exit 1
  fi
done

have_deb_src() {
  grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

if ! have_deb_src; then
  echo "fetch-large-programs: no deb-src entries; adding them next to the binary ones"
  shopt -s nullglob
  deb822=(/etc/apt/sources.list.d/*.sources)
  if [ ${#deb822[@]} -gt 0 ]; then
    out=/etc/apt/sources.list.d/wasmrt-deb-src.sources
    tmp=$(mktemp)
    for f in "${deb822[@]}"; do
      # keep enabled stanzas only; turn "Types: deb" into "Types: deb-src"
      awk 'BEGIN{RS=""; ORS="\n\n"} /(^|\n)Types:[^\n]*deb/ && !/(^|\n)Enabled:[[:space:]]*no/ {
             n=split($0, L, "\n"); s="";
             for (i=1;i<=n;i++){ if (L[i] ~ /^Types:/) L[i]="Types: deb-src"; if (L[i] !~ /^#/) s=s L[i] "\n" }
             printf "%s\n", s }' "$f" >>"$tmp"
    done
    "${sudo[@]}" install -m 644 "$tmp" "$out"; rm -f "$tmp"
  else
    out=/etc/apt/sources.list.d/wasmrt-deb-src.list
    grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
      sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' | "${sudo[@]}" tee "$out" >/dev/null
  fi
  echo "fetch-large-programs: wrote $out"
  "${sudo[@]}" apt-get update
fi

if ! command -v dpkg-source >/dev/null; then
  "${sudo[@]}" apt-get install -y --no-install-recommends dpkg-dev
fi

mkdir -p "$dest"
cd "$dest"
for pkg in "${packages[@]}"; do
  if [ -f "$pkg.fetched" ] && [ -d "$(cat "$pkg.fetched")" ]; then
    echo "fetch-large-programs: $pkg: already in $dest/$(cat "$pkg.fetched")"
    continue
  fi
  echo "fetch-large-programs: $pkg: apt-get source"
  # Try every version apt knows, newest first: a mirror may lack the newest
  # (e.g. a security update) while still serving the release's own version.
  mapfile -t candidates < <(apt-cache showsrc "$pkg" 2>/dev/null |
    awk '/^Package:/{p=$2} /^Version:/{print p "=" $2}' | sort -t= -k2 -Vr | uniq)
  if [ ${#candidates[@]} -eq 0 ]; then
    echo "fetch-large-programs: $pkg: apt knows no source package of that name (apt-get update?)" >&2
    exit 1
  fi
  dsc=
  : >"$pkg.log"
  for c in "${candidates[@]}"; do
    if apt-get source --download-only "$c" >>"$pkg.log" 2>&1; then
      name=${c%%=*}; version=${c#*=}
      dsc=${name}_${version#*:}.dsc
      break
    fi
  done
  if [ -z "$dsc" ] || [ ! -f "$dsc" ]; then
    echo "fetch-large-programs: $pkg: apt-get source failed (tried ${candidates[*]}):" >&2
    grep -E '^(E|W):' "$pkg.log" >&2 || cat "$pkg.log" >&2
    exit 1
  fi
  # upstream version without the Debian revision and epoch: lua5.4_5.4.4-3+deb12u1 -> lua5.4-5.4.4
  dir=$(basename "$dsc" .dsc | sed -E 's/^([^_]+)_([0-9]+:)?([^-]+)(-.*)?$/\1-\3/')
  rm -rf "$dir"
  dpkg-source --no-check -x "$dsc" "$dir" >>"$pkg.log" 2>&1
  echo "$dir" >"$pkg.fetched"
  echo "fetch-large-programs: $pkg: unpacked into $dest/$dir"
done
echo "fetch-large-programs: done. Build with: scripts/build-large-programs.sh"
