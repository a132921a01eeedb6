#!/usr/bin/env bash
# Docker for the tests (CI and our offline machines; never part of what a user runs).
#
#   bash scripts/setup-docker.sh        # idempotent; a warm run takes a few seconds
#
# What it makes sure of:
#   1. the Docker engine: Debian's docker.io installed (apt) and dockerd running with the host
#      network only (these machines have no iptables/bridge; every build and container uses
#      --network host), waiting until `docker info` answers;
#   2. the stand-in base image `catalyst-test/python:3.11-bookworm`: Docker Hub is unreachable, so a
#      Debian bookworm root filesystem (python3 = 3.11, python3-venv, python3-pip, ca-certificates)
#      is built with debootstrap, the host's CA bundle copied in, and `docker import`ed. The rootfs
#      tarball is cached in the git-ignored .tools/docker/;
#   3. an image registry for loopback pushes: .tools/bin/registry, built from the Go module
#      github.com/distribution/distribution/v3 (cmd/registry) and cached.
#
# Knobs:
#   CATALYST_DOCKER_REBUILD_BASE=1   rebuild the rootfs tarball and re-import the stand-in image
#   CATALYST_DEBIAN_MIRROR=URL       Debian mirror for debootstrap (default http://deb.debian.org/debian)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.tools/docker"
BIN_DIR="$ROOT/.tools/bin"
STANDIN_IMAGE="catalyst-test/python:3.11-bookworm"   # tests/helpers/docker.ts reads the same name
SUITE="bookworm"                                      # python3 3.11, the minor version the tests run
PACKAGES="python3,python3-venv,python3-pip,python-is-python3,ca-certificates"
# Bump RECIPE when the recipe below changes: the cached tarball and image are keyed by it.
RECIPE="$(printf '%s\n' "$SUITE" "$PACKAGES" "r2" | sha256sum | cut -c1-12)"
ROOTFS_TAR="$CACHE/rootfs-$SUITE-$RECIPE.tar"
REGISTRY_MODULE="github.com/distribution/distribution/v3/cmd/registry"
REGISTRY_VERSION="v3.1.2"
MIRROR="${CATALYST_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() { printf '[setup-docker] %s\n' "$*"; }
die() { printf '[setup-docker] ERROR: %s\n' "$*" >&2; exit 1; }
step_start() { STEP_T0=$(date +%s); }
step_done() { log "$1 ($(( $(date +%s) - STEP_T0 ))s)"; }

T0=$(date +%s)
mkdir -p "$CACHE" "$BIN_DIR"
# One run at a time (CI steps and developers may start it concurrently).
exec 9>"$CACHE/.setup.lock"
flock 9

apt_install() {
  [ "$(id -u)" = 0 ] || die "need root to install $* (apt-get install -y $*)"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  apt-get install -y -qq "$@" >/dev/null
}

# --- 1. the engine -------------------------------------------------------------------------------
step_start
if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io (apt)"
  apt_install docker.io
fi
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "dockerd is not running and starting it needs root"
  # overlay2 when this kernel lets us mount an overlay (several times faster than vfs, which copies
  # the whole filesystem for every layer and container); vfs otherwise.
  DRIVER=vfs
  OVT="$(mktemp -d)"
  mkdir -p "$OVT/l" "$OVT/u" "$OVT/w" "$OVT/m"
  if mount -t overlay overlay -o "lowerdir=$OVT/l,upperdir=$OVT/u,workdir=$OVT/w" "$OVT/m" 2>/dev/null; then
    umount "$OVT/m"
    DRIVER=overlay2
  fi
  rm -rf "$OVT"
  log "starting dockerd (host network only, $DRIVER storage; log: $CACHE/dockerd.log)"
  # setsid + nohup: the daemon outlives this script (and the CI step that ran it).
  setsid nohup dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver="$DRIVER" \
    >"$CACHE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -20 "$CACHE/dockerd.log" >&2; die "dockerd did not answer within 60s"; }
fi
step_done "docker engine ready: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"

# --- 2. the stand-in base image ------------------------------------------------------------------
step_start
if [ -n "${CATALYST_DOCKER_REBUILD_BASE:-}" ]; then
  rm -f "$ROOTFS_TAR"
  docker image rm -f "$STANDIN_IMAGE" >/dev/null 2>&1 || true
fi
if [ "$(docker image inspect --format '{{ index .Config.Labels "catalyst.recipe" }}' "$STANDIN_IMAGE" 2>/dev/null)" != "$RECIPE" ]; then
  if [ ! -s "$ROOTFS_TAR" ]; then
    command -v debootstrap >/dev/null 2>&1 || { log "installing debootstrap (apt)"; apt_install debootstrap; }
    ROOTFS="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    chmod 755 "$ROOTFS"   # it becomes the image's /: mktemp's 0700 would lock out the non-root user
    trap 'rm -rf "$ROOTFS"' EXIT
    log "debootstrap --variant=minbase $SUITE ($PACKAGES) from $MIRROR"
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
      { tail -20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (full log: $CACHE/debootstrap.log)"; }
    # The host's CA bundle: images reach PyPI through the same TLS setup the host uses.
    cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
    # Like the official python image: `python` (python-is-python3) and a pip that installs into
    # the image's Python (Debian marks its Python externally managed; the official image does not).
    rm -f "$ROOTFS"/usr/lib/python3*/EXTERNALLY-MANAGED
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
    tar -C "$ROOTFS" -cf "$ROOTFS_TAR.tmp" .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$ROOTFS"
    trap - EXIT
  fi
  docker image rm -f "$STANDIN_IMAGE" >/dev/null 2>&1 || true   # an older recipe's import (ours)
  log "docker import $ROOTFS_TAR as $STANDIN_IMAGE"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    --change "LABEL catalyst.recipe=$RECIPE" \
    "$ROOTFS_TAR" "$STANDIN_IMAGE" >/dev/null
fi
step_done "stand-in base image $STANDIN_IMAGE ready"

# --- 3. the registry -----------------------------------------------------------------------------
step_start
if [ ! -x "$BIN_DIR/registry" ] || [ "$(cat "$BIN_DIR/registry.version" 2>/dev/null)" != "$REGISTRY_VERSION" ]; then
  command -v go >/dev/null 2>&1 || die "go is needed to build the registry ($REGISTRY_MODULE@$REGISTRY_VERSION)"
  log "go install $REGISTRY_MODULE@$REGISTRY_VERSION"
  GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install "$REGISTRY_MODULE@$REGISTRY_VERSION"
  echo "$REGISTRY_VERSION" >"$BIN_DIR/registry.version"
fi
step_done "registry $REGISTRY_VERSION at $BIN_DIR/registry"

log "done in $(( $(date +%s) - T0 ))s"
