#!/usr/bin/env bash
# Installs what kts needs on a Debian machine and starts a single-node cluster.
#   ./scripts/install.sh             install, build, then run `kts server` in the foreground
#   ./scripts/install.sh --no-start  install and build only
# As root it also installs the Debian packages the node agent uses (containerd, runc, CNI
# plugins, iptables, nginx for the ingress); as another user only the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
start=1
[ "${1:-}" = "--no-start" ] && start=0 && shift

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  missing=()
  for pkg in containerd runc containernetworking-plugins iptables conntrack busybox-static nginx-light; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "kts install: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # nginx is the ingress data plane, run by kts with its own config: the packaged service that
    # Debian starts on install would hold ports 80 and 443.
    if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
      systemctl disable --now nginx >/dev/null 2>&1 || service nginx stop >/dev/null 2>&1 || true
    fi
  fi
fi

if [ ! -f node_modules/.package-lock.json ]; then
  echo "kts install: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
else
  npm run build --silent
fi
# The sandbox image, built from busybox-static: no registry is needed to start a cluster. The
# agent imports archives in <data-dir>/agent/images/ at start (and builds it itself if missing).
if [ "$(id -u)" = "0" ] && [ ! -f /var/lib/kts/agent/images/pause.tar ]; then
  mkdir -p /var/lib/kts/agent/images
  ./bin/kts image build-pause /var/lib/kts/agent/images/pause.tar
fi
echo "kts install: ready (bin/kts $(./bin/kts --version | awk '{print $3}'))"

if [ "$start" = "1" ]; then
  exec ./bin/kts server "$@"
fi
