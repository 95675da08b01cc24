#!/usr/bin/env bash
# Installs the natural photographs of the built-in `photos-skimage` dataset: five PNGs that
# scikit-image's PyPI wheel ships in skimage/data/ (real photos, not synthetic). The wheel is
# fetched with pip (no install, no dependencies) and only those files are kept, each checked
# against a pinned sha256 (the files are identical in every platform's wheel).
#
#   bash infra/data/install-photos.sh
#
# Target: ${REPROLAB_CACHE_DIR:-~/.cache/reprolab}/data/skimage-0.26.0/. Idempotent.
set -euo pipefail
version=0.26.0
dest="${REPROLAB_CACHE_DIR:-$HOME/.cache/reprolab}/data/skimage-$version"
declare -A sums=(
  [astronaut.png]=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
  [coffee.png]=cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7
  [motorcycle_left.png]=db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179
  [chelsea.png]=596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb
  [camera.png]=b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a
)
ok() { [ -f "$dest/$1" ] && [ "$(sha256sum "$dest/$1" | cut -d' ' -f1)" = "${sums[$1]}" ]; }
need=()
for f in "${!sums[@]}"; do ok "$f" || need+=("$f"); done
if [ ${#need[@]} -eq 0 ]; then echo "photos-skimage: all 5 photographs present in $dest"; exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "scikit-image==$version"
wheel=$(ls "$tmp"/scikit_image-*.whl | head -1)
mkdir -p "$dest"
python3 - "$wheel" "$dest" "${need[@]}" <<'PY'
import sys, zipfile, os
wheel, dest, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for n in names:
        with open(os.path.join(dest, n), 'wb') as f:
            f.write(z.read(f'skimage/data/{n}'))
PY
for f in "${need[@]}"; do
  if ! ok "$f"; then
    echo "photos-skimage: $f from $(basename "$wheel") has sha256 $(sha256sum "$dest/$f" | cut -d' ' -f1), expected ${sums[$f]}" >&2
    rm -f "$dest/$f"
    exit 1
  fi
done
echo "photos-skimage: installed ${#need[@]} photograph(s) into $dest"
