"""Data sets: a registry of files, a checked download cache, and loaders.

Registry and cache
    ``DATA_HUB`` maps a name to ``(url, hash)``; the hash is ``"sha1:<hex>"`` or
    ``"md5:<hex>"``. A name is also the file's relative path inside the cache
    folder, :func:`data_dir` (``$D2LKIT_DATA``, default ``~/.cache/d2lkit``).

Overrides (``hub.json``)
    If the cache folder holds a ``hub.json`` file, its entries override or
    extend ``DATA_HUB``::

        {"fashion-mnist/train-images-idx3-ubyte.gz":
             {"url": "https://mirror.example.edu/fmnist/train-images-idx3-ubyte.gz"},
         "my-data/table.csv": {"url": "file:///srv/course/table.csv",
                               "hash": "sha1:0123..."}}

    For a name already in ``DATA_HUB`` either key may be left out (the
    registered value is kept), so an instructor's mirror only needs new
    URLs. New names need both. ``file://`` URLs work, which is how tests and
    the notebooks' fast mode (``D2LKIT_FAST=1``) run offline on tiny files
    made by :func:`make_tiny_fashion_mnist`.
"""
import gzip
import hashlib
import json
import os
import pathlib
import struct
import sys
import urllib.request
import uuid

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils import data as tud

__all__ = ['DATA_HUB', 'data_dir', 'get_hub', 'download', 'read_idx', 'write_idx',
           'load_array', 'load_data_fashion_mnist', 'make_tiny_fashion_mnist', 'register_local_file',
           'fast_mode']

_FMNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'

DATA_HUB = {
    f'fashion-mnist/{f}': (_FMNIST_URL + f, 'md5:' + h) for f, h in [
        ('train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
        ('train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
        ('t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
        ('t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310')]
}
DATA_HUB['timemachine.txt'] = ('http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt',
                               'sha1:090b5e7e70c295757f55df93cb0a180b9691891a')


def fast_mode():
    """True when ``D2LKIT_FAST=1``: notebooks shrink epochs and data (CI)."""
    return os.environ.get('D2LKIT_FAST') == '1'


def data_dir():
    """The cache folder: ``$D2LKIT_DATA`` if set, else ``~/.cache/d2lkit`` (a str)."""
    default = os.path.join(os.path.expanduser('~'), '.cache', 'd2lkit')
    return os.environ.get('D2LKIT_DATA') or default


def get_hub(cache_dir=None):
    """``DATA_HUB`` merged with ``<cache_dir>/hub.json`` if present: name -> (url, hash)."""
    hub = dict(DATA_HUB)
    path = os.path.join(cache_dir or data_dir(), 'hub.json')
    if os.path.exists(path):
        with open(path) as f:
            for name, entry in json.load(f).items():
                url, hash_ = hub.get(name, (None, None))
                url, hash_ = entry.get('url', url), entry.get('hash', hash_)
                if url is None or hash_ is None:
                    raise ValueError(f'{path}: entry {name!r} needs both "url" and "hash"')
                hub[name] = (url, hash_)
    return hub


def _hasher(hash_):
    algo, _, hexdigest = hash_.partition(':')
    if not hexdigest:
        raise ValueError(f'hash {hash_!r} must look like "sha1:<hex>" or "md5:<hex>"')
    return hashlib.new(algo, usedforsecurity=False), hexdigest.lower()


def _file_matches(path, hash_):
    h, hexdigest = _hasher(hash_)
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest() == hexdigest


def download(name, cache_dir=None):
    """Return the local path of data set file ``name``, downloading it if needed.

    The file lives at ``<cache_dir>/<name>`` (``cache_dir`` defaults to
    :func:`data_dir`, whose ``hub.json`` is honoured). A cached file whose
    hash matches is used without any network access. Otherwise the URL
    (http(s) or file://) is fetched into a temporary file beside the target
    while hashing it; on a mismatch the temporary file is deleted and a
    ``ValueError`` names the file and both hashes; on success it is moved into
    place atomically, so an interrupted download never leaves a bad file.
    """
    cache_dir = cache_dir or data_dir()
    hub = get_hub(cache_dir)
    if name not in hub:
        raise KeyError(f'{name!r} is not in DATA_HUB nor in {cache_dir}/hub.json')
    if os.path.isabs(name) or '..' in name.split('/'):
        raise ValueError(f'data set name {name!r} must be a relative path inside the cache')
    url, hash_ = hub[name]
    path = os.path.join(cache_dir, *name.split('/'))
    if os.path.exists(path) and _file_matches(path, hash_):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f'{path}.{uuid.uuid4().hex}.part'
    h, expected = _hasher(hash_)
    print(f'Downloading {url} to {path}', file=sys.stderr)
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(tmp, 'xb') as f:
            for chunk in iter(lambda: response.read(1 << 20), b''):
                h.update(chunk)
                f.write(chunk)
        if h.hexdigest() != expected:
            algo = hash_.partition(':')[0]
            raise ValueError(f'checksum mismatch for {path} (downloaded from {url}): '
                             f'expected {algo}:{expected}, got {algo}:{h.hexdigest()}')
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


# IDX type codes -> big-endian numpy dtypes
_IDX_DTYPES = {0x08: np.dtype('u1'), 0x09: np.dtype('i1'), 0x0B: np.dtype('>i2'),
               0x0C: np.dtype('>i4'), 0x0D: np.dtype('>f4'), 0x0E: np.dtype('>f8')}


def read_idx(path):
    """Read an IDX file (gzipped or not) into a CPU tensor shaped by its header.

    Fashion-MNIST files hold unsigned bytes and give a ``torch.uint8`` tensor:
    images (N, 28, 28), labels (N,). Other IDX types map to the matching dtype.
    """
    with open(path, 'rb') as f:
        buf = f.read()
    if buf[:2] == b'\x1f\x8b':
        buf = gzip.decompress(buf)
    zero, code, ndim = struct.unpack('>HBB', buf[:4])
    if zero != 0 or code not in _IDX_DTYPES:
        raise ValueError(f'{path} is not an IDX file')
    shape = struct.unpack(f'>{ndim}I', buf[4:4 + 4 * ndim])
    dtype, offset = _IDX_DTYPES[code], 4 + 4 * ndim
    if len(buf) - offset != dtype.itemsize * int(np.prod(shape)):
        raise ValueError(f'{path}: header says {shape} but data has {len(buf) - offset} bytes')
    array = np.frombuffer(buf, dtype, offset=offset).astype(dtype.newbyteorder('='))
    return torch.from_numpy(array.reshape(shape))


def write_idx(path, array):
    """Write a numpy array or tensor as an IDX file, gzipped if ``path`` ends in ``.gz``.

    Creates parent folders. The gzip header carries no timestamp, so equal
    arrays give byte-identical files.
    """
    array = array.cpu().numpy() if isinstance(array, torch.Tensor) else np.asarray(array)
    code = next((c for c, d in _IDX_DTYPES.items() if d.kind == array.dtype.kind
                 and d.itemsize == array.dtype.itemsize), None)
    if code is None:
        raise TypeError(f'IDX cannot store dtype {array.dtype}')
    raw = (struct.pack(f'>HBB{array.ndim}I', 0, code, array.ndim, *array.shape)
           + array.astype(_IDX_DTYPES[code]).tobytes())
    if str(path).endswith('.gz'):
        raw = gzip.compress(raw, mtime=0)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(raw)


def load_array(data_arrays, batch_size, is_train=True):
    """A ``DataLoader`` over ``TensorDataset(*data_arrays)``, shuffled when ``is_train``."""
    return tud.DataLoader(tud.TensorDataset(*data_arrays), batch_size, shuffle=is_train)


def _fashion_mnist_split(split, cache_dir):
    images = read_idx(download(f'fashion-mnist/{split}-images-idx3-ubyte.gz', cache_dir))
    labels = read_idx(download(f'fashion-mnist/{split}-labels-idx1-ubyte.gz', cache_dir))
    return tud.TensorDataset(images, labels.long())


def load_data_fashion_mnist(batch_size, resize=None):
    """Fashion-MNIST as ``(train_iter, test_iter)`` DataLoaders (files via :func:`download`).

    Batches are ``(X, y)``: X float32 (B, 1, 28, 28) in [0, 1], or
    (B, 1, h, w) when ``resize`` is an int h = w or a pair (h, w) (bilinear,
    antialiased); y int64 (B,) in 0..9. The training set is reshuffled every
    epoch, the test set is in file order; the last batch may be smaller.
    Images stay uint8 in memory and each batch is converted (and resized)
    as one tensor operation.
    """
    size = (resize, resize) if isinstance(resize, int) else resize

    def to_float(batch):
        X, y = batch
        X = X.unsqueeze(1).float() / 255
        if size is not None:
            X = F.interpolate(X, size=tuple(size), mode='bilinear', antialias=True).clamp_(0, 1)
        return X, y

    def loader(split, shuffle):
        ds = _fashion_mnist_split(split, data_dir())
        order = tud.RandomSampler(ds) if shuffle else tud.SequentialSampler(ds)
        # batch_size=None + a BatchSampler as sampler: the dataset is indexed
        # with a whole list of indices at once instead of example by example.
        return tud.DataLoader(ds, sampler=tud.BatchSampler(order, batch_size, drop_last=False),
                              batch_size=None, collate_fn=to_float, num_workers=0)

    return loader('train', True), loader('t10k', False)


def register_local_file(folder, name, content):
    """Write ``content`` (bytes) to ``folder/name`` and register it in ``folder/hub.json``.

    The entry gets the file's ``file://`` URL and sha1 (other entries are
    kept), so with ``D2LKIT_DATA=folder`` :func:`download` finds it offline.
    The ``make_tiny_*`` functions of every part of the book use this; the
    notebook tests call each of them. Returns the file's path.
    """
    path = pathlib.Path(folder, *name.split('/')).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    hub_path = os.path.join(folder, 'hub.json')
    hub = {}
    if os.path.exists(hub_path):
        with open(hub_path) as f:
            hub = json.load(f)
    hub[name] = {'url': path.as_uri(), 'hash': 'sha1:' + hashlib.sha1(content).hexdigest()}
    with open(hub_path, 'w') as f:
        json.dump(hub, f, indent=1)
    return str(path)


def make_tiny_fashion_mnist(folder, n_train=64, n_test=32, seed=0):
    """Write tiny Fashion-MNIST files and register them in ``folder/hub.json``.

    The four gz IDX files go where :func:`download` caches them
    (``folder/fashion-mnist/...``; see :func:`register_local_file`), so with
    ``D2LKIT_DATA=folder`` the loaders work offline. Labels cycle through
    0..9 in shuffled order; each image is a fixed random pattern of its
    class plus noise, so models can learn something. Returns ``folder``.
    """
    rng = np.random.default_rng(seed)
    templates = rng.integers(0, 256, (10, 28, 28))
    for split, n in (('train', n_train), ('t10k', n_test)):
        labels = rng.permutation(np.arange(n) % 10).astype(np.uint8)
        images = (templates[labels] + rng.integers(0, 256, (n, 28, 28))) // 2
        for kind, array in (('images-idx3', images.astype(np.uint8)), ('labels-idx1', labels)):
            name = f'fashion-mnist/{split}-{kind}-ubyte.gz'
            path = pathlib.Path(folder, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_idx(path, array)
            register_local_file(folder, name, path.read_bytes())
    return folder
