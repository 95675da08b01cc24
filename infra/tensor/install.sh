#!/usr/bin/env bash
# Install reprolab's native TensorFlow backend for TF.js, outside the clone.
#
#   bash infra/tensor/install.sh            # CPU: tensorflow-cpu wheel
#   bash infra/tensor/install.sh --gpu      # GPU: tensorflow[and-cuda] wheel (CUDA 12 + cuDNN 9 from PyPI)
#   bash infra/tensor/install.sh --force    # rebuild even if the manifest is current
#   bash infra/tensor/install.sh --no-wasm  # skip the wasm backend copy
#   bash infra/tensor/install.sh --with-torch  # also a PyTorch venv (requirements-torch.lock,
#                                              # ~5 GB incl. CUDA wheels) as 2nd bench reference
#
# What it does (all under ${REPROLAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/reprolab}/tensor):
#   1. venv with the pinned wheel (requirements-<variant>.lock, pip cache kept in the cache dir);
#      this venv is also the Python reference for `npm run bench:train`.
#   2. checks libtensorflow_cc.so.2 exports the C / eager C API the addon calls (TF_*, TFE_*).
#   3. `npm pack @tensorflow/tfjs-node@4.22.0` (no install script => no download from
#      storage.googleapis.com), compiles binding/*.cc with node-gyp against the wheel's
#      headers and .so files (rpath to the venv), installs the one runtime JS dep it needs.
#   4. @tensorflow/tfjs-backend-wasm@4.22.0 into tensor/npm (used only if the project
#      does not depend on it itself).
#   5. self-check: loads the backend through the project's own loader
#      (activities/methods/src/backend) and runs forward+gradient checks, then writes
#      tensor/native-<variant>.json, which is what the loader looks for.
set -euo pipefail

TF_VERSION=2.20.0
TFJS_NODE_VERSION=4.22.0
TFJS_WASM_VERSION=4.22.0
GOOGLE_PROTOBUF_VERSION=3.21.4

VARIANT=cpu FORCE=0 WASM=1 TORCH=0
for a in "$@"; do
  case "$a" in
    --gpu) VARIANT=gpu ;;
    --cpu) VARIANT=cpu ;;
    --force) FORCE=1 ;;
    --no-wasm) WASM=0 ;;
    --with-torch) TORCH=1 ;;
    -h|--help) sed -n 2,22p "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${REPROLAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/reprolab}"
TENSOR="$CACHE/tensor"
ROOT="$TENSOR/tf${TF_VERSION}-tfjs-node${TFJS_NODE_VERSION}-$VARIANT"
MANIFEST="$TENSOR/native-$VARIANT.json"
LOCK="$HERE/requirements-$VARIANT.lock"
PY="${PYTHON:-python3}"
export PIP_CACHE_DIR="$CACHE/pip-cache" npm_config_cache="$CACHE/npm-cache"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
mkdir -p "$TENSOR"
log() { printf '[tensor-install %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[tensor-install] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ $TORCH == 1 ]]; then
  if [[ ! -x "$TENSOR/torch-venv/bin/python" ]]; then "${PYTHON:-python3}" -m venv "$TENSOR/torch-venv"; fi
  log "pip install -r requirements-torch.lock (PyTorch reference for the bench)"
  "$TENSOR/torch-venv/bin/python" -m pip install -q --disable-pip-version-check -r "$HERE/requirements-torch.lock"
fi

# Is the current manifest already this exact install?
lock_hash="$(cat "$LOCK" "$0" | sha256sum | cut -c1-16)"
if [[ $FORCE == 0 && -f "$MANIFEST" && -f "$ROOT/.stamp" && "$(cat "$ROOT/.stamp")" == "$lock_hash" ]]; then
  log "native-$VARIANT already installed ($ROOT); re-running self-check"
  (cd "$REPO" && node --import tsx activities/methods/src/backend/cli.ts --check-native "$VARIANT") && exit 0
  log "self-check failed; rebuilding"
fi
rm -f "$MANIFEST"

# ---- 1. Python venv with the pinned wheel ---------------------------------
"$PY" -c 'import sys; assert (3,9) <= sys.version_info[:2] <= (3,13), sys.version' \
  || die "need CPython 3.9-3.13 for tensorflow $TF_VERSION wheels (set PYTHON=...)"
if [[ ! -x "$ROOT/venv/bin/python" ]]; then
  log "creating venv $ROOT/venv"
  "$PY" -m venv "$ROOT/venv"
fi
log "pip install -r $(basename "$LOCK")"
"$ROOT/venv/bin/python" -m pip install -q --disable-pip-version-check -r "$LOCK"
SITE="$("$ROOT/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
LIBDIR="$SITE/tensorflow"
INCDIR="$LIBDIR/include"
[[ -f "$LIBDIR/libtensorflow_cc.so.2" && -f "$LIBDIR/libtensorflow_framework.so.2" ]] || die "wheel has no libtensorflow_cc.so.2/libtensorflow_framework.so.2 in $LIBDIR"
[[ -f "$INCDIR/tensorflow/c/c_api.h" && -f "$INCDIR/tensorflow/c/eager/c_api.h" ]] || die "wheel has no C API headers in $INCDIR"

# ---- 2. C API symbol check --------------------------------------------------
if command -v nm >/dev/null; then
  syms="$(nm -D --defined-only "$LIBDIR/libtensorflow_cc.so.2" "$LIBDIR/libtensorflow_framework.so.2" | awk '{print $3}' | sed 's/@.*//')"
  for s in TF_Version TF_NewStatus TF_NewTensor TF_AllocateTensor TFE_NewContext TFE_NewOp TFE_Execute TFE_OpSetAttrShape TFE_NewTensorHandle TFE_TensorHandleResolve TFE_ContextListDevices; do
    grep -qx "$s" <<<"$syms" || die "libtensorflow from the wheel does not export $s"
  done
  log "C/eager C API symbols present ($(grep -c '^TFE\?_' <<<"$syms") TF_*/TFE_* exports)"
else
  log "nm not found (apt-get install binutils); skipping the symbol check, the self-check still runs"
fi

# ---- 3. tfjs-node addon -----------------------------------------------------
mkdir -p "$ROOT/src"
if [[ ! -f "$ROOT/src/package/binding/tfjs_backend.cc" ]]; then
  log "npm pack @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  (cd "$ROOT/src" && npm pack --silent "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" >/dev/null && tar xzf "tensorflow-tfjs-node-$TFJS_NODE_VERSION.tgz")
fi
rm -rf "$ROOT/tfjs-node" && mkdir -p "$ROOT/tfjs-node"
cp -r "$ROOT/src/package/dist" "$ROOT/src/package/package.json" "$ROOT/tfjs-node/"
# tfjs-node's JS needs only google-protobuf at runtime besides TF.js itself (TF.js is
# redirected to the project's copy by the loader, so it is deliberately NOT installed here).
cat > "$ROOT/package.json" <<JSON
{ "name": "reprolab-tensor-native", "private": true, "dependencies": { "google-protobuf": "$GOOGLE_PROTOBUF_VERSION" } }
JSON
(cd "$ROOT" && npm install --silent --ignore-scripts --no-package-lock >/dev/null)

NODE_BIN="$(command -v node)"
NODEDIR="$(dirname "$(dirname "$(readlink -f "$NODE_BIN")")")"
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || NODE_GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || die "node-gyp (bundled with npm) not found"
gyp_args=(rebuild)
if [[ -f "$NODEDIR/include/node/node_api.h" ]]; then gyp_args+=("--nodedir=$NODEDIR"); else log "no local node headers under $NODEDIR/include/node; node-gyp will download them"; fi
command -v g++ >/dev/null && command -v make >/dev/null || die "need g++ and make (apt-get install -y build-essential)"

rm -rf "$ROOT/build" && mkdir -p "$ROOT/build"
cp -r "$ROOT/src/package/binding" "$ROOT/build/"
cat > "$ROOT/build/binding.gyp" <<GYP
{
  'targets': [{
    'target_name': 'tfjs_binding',
    'sources': ['binding/tfjs_backend.cc', 'binding/tfjs_binding.cc'],
    'include_dirs': ['$INCDIR'],
    'cflags_cc': ['-std=c++17', '-O2'],
    'defines': ['NAPI_VERSION=8'],
    'libraries': ['-L$LIBDIR', '-l:libtensorflow_cc.so.2', '-l:libtensorflow_framework.so.2', '-Wl,-rpath,$LIBDIR'],
  }]
}
GYP
log "building tfjs_binding.node against $LIBDIR"
(cd "$ROOT/build" && node "$NODE_GYP" "${gyp_args[@]}" >build.log 2>&1) || { tail -30 "$ROOT/build/build.log"; die "addon build failed (log: $ROOT/build/build.log)"; }
ADDON="$ROOT/build/build/Release/tfjs_binding.node"
[[ -f "$ADDON" ]] || die "addon not produced"

# ---- 4. wasm backend copy -----------------------------------------------------
if [[ $WASM == 1 ]]; then
  mkdir -p "$TENSOR/npm"
  if [[ ! -f "$TENSOR/npm/node_modules/@tensorflow/tfjs-backend-wasm/package.json" ]] || \
     ! grep -q "\"version\": \"$TFJS_WASM_VERSION\"" "$TENSOR/npm/node_modules/@tensorflow/tfjs-backend-wasm/package.json"; then
    log "npm install @tensorflow/tfjs-backend-wasm@$TFJS_WASM_VERSION into $TENSOR/npm"
    echo '{ "name": "reprolab-tensor-npm", "private": true }' > "$TENSOR/npm/package.json"
    (cd "$TENSOR/npm" && npm install --silent --ignore-scripts --no-package-lock "@tensorflow/tfjs-backend-wasm@$TFJS_WASM_VERSION" >/dev/null)
  fi
fi

# ---- 5. manifest + self-check through the project's loader ----------------------
cat > "$MANIFEST" <<JSON
{
  "schema": 1,
  "variant": "$VARIANT",
  "tensorflow": "$TF_VERSION",
  "pipPackage": "$(grep -iE '^tensorflow(-cpu)?==' "$LOCK")",
  "tfjsNode": "$TFJS_NODE_VERSION",
  "root": "$ROOT",
  "addon": "$ADDON",
  "jsDir": "$ROOT/tfjs-node",
  "libDir": "$LIBDIR",
  "python": "$ROOT/venv/bin/python",
  "builtWithNode": "$(node -p process.version)",
  "installedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
log "self-check"
if ! (cd "$REPO" && node --import tsx activities/methods/src/backend/cli.ts --check-native "$VARIANT"); then
  rm -f "$MANIFEST"
  die "self-check failed; manifest removed so workers fall back instead of crashing"
fi
echo "$lock_hash" > "$ROOT/.stamp"
log "done: $MANIFEST"
