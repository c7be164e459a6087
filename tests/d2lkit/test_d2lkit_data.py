"""Tests of d2lkit.data: checked downloads, hub.json overrides, IDX files, Fashion-MNIST loaders."""
import functools
import gzip
import hashlib
import http.server
import json
import struct
import threading

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import d2lkit as d2l
from d2lkit_strategies import SETTINGS

FMNIST = [f'fashion-mnist/{s}-{k}-ubyte.gz' for s in ('train', 't10k')
          for k in ('images-idx3', 'labels-idx1')]


class _Server:
    """A loopback HTTP server over a folder that records the paths requested."""

    def __init__(self, root):
        requests = self.requests = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), functools.partial(Handler, directory=str(root)))
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}/'
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www, which holds data.bin."""
    www = tmp_path / 'www'
    www.mkdir()
    (www / 'data.bin').write_bytes(b'some bytes of a data set\n' * 1000)
    s = _Server(www)
    s.payload = (www / 'data.bin').read_bytes()
    yield s
    s.close()


def _hash(algo, data):
    return f'{algo}:{hashlib.new(algo, data).hexdigest()}'


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob('*') if p.is_file())


# --------------------------------------------------------------- registry
def test_registry_has_fashion_mnist_md5_and_time_machine_sha1():
    """DATA_HUB registers the four Fashion-MNIST files (md5) and the time machine (sha1)."""
    for name in FMNIST:
        url, hash_ = d2l.DATA_HUB[name]
        assert url == 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/' + name.split('/')[1]
        assert hash_.startswith('md5:') and len(hash_) == 4 + 32
    assert d2l.DATA_HUB['fashion-mnist/t10k-labels-idx1-ubyte.gz'][1] == 'md5:bb300cfdad3c16e7a12a480ee83cd310'
    assert d2l.DATA_HUB['timemachine.txt'] == (
        'http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt',
        'sha1:090b5e7e70c295757f55df93cb0a180b9691891a')


def test_data_dir_env_and_default(monkeypatch, tmp_path):
    """data_dir is $D2LKIT_DATA when set, else ~/.cache/d2lkit."""
    monkeypatch.setenv('D2LKIT_DATA', str(tmp_path))
    assert d2l.data_dir() == str(tmp_path)
    monkeypatch.delenv('D2LKIT_DATA')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    assert d2l.data_dir() == str(tmp_path / 'home' / '.cache' / 'd2lkit')


def test_fast_mode(monkeypatch):
    """fast_mode is True exactly when D2LKIT_FAST=1."""
    monkeypatch.delenv('D2LKIT_FAST', raising=False)
    assert not d2l.fast_mode()
    monkeypatch.setenv('D2LKIT_FAST', '0')
    assert not d2l.fast_mode()
    monkeypatch.setenv('D2LKIT_FAST', '1')
    assert d2l.fast_mode()


# --------------------------------------------------------------- download
@pytest.mark.parametrize('algo', ['sha1', 'md5'])
def test_download_over_http_then_cache_hit(algo, server, data_home, monkeypatch):
    """download fetches over HTTP once, checks the hash, and a second call makes no request."""
    payload = server.payload
    monkeypatch.setitem(d2l.DATA_HUB, 'set/data.bin', (server.url + 'data.bin', _hash(algo, payload)))
    path = d2l.download('set/data.bin')
    assert path == str(data_home / 'set' / 'data.bin')
    assert open(path, 'rb').read() == payload
    assert server.requests == ['/data.bin']
    assert d2l.download('set/data.bin') == path
    assert server.requests == ['/data.bin']
    assert _files(data_home) == ['set/data.bin']


def test_download_replaces_a_corrupt_cached_file(server, data_home, monkeypatch):
    """A cached file whose hash does not match is downloaded again."""
    payload = server.payload
    monkeypatch.setitem(d2l.DATA_HUB, 'data.bin', (server.url + 'data.bin', _hash('sha1', payload)))
    data_home.mkdir()
    (data_home / 'data.bin').write_bytes(b'truncated')
    assert open(d2l.download('data.bin'), 'rb').read() == payload
    assert server.requests == ['/data.bin']


@pytest.mark.parametrize('algo', ['sha1', 'md5'])
def test_download_checksum_mismatch_raises_and_leaves_no_file(algo, server, data_home, monkeypatch):
    """A hash mismatch raises ValueError naming the file and both hashes, and writes nothing."""
    payload = server.payload
    wrong = _hash(algo, b'something else')
    monkeypatch.setitem(d2l.DATA_HUB, 'set/data.bin', (server.url + 'data.bin', wrong))
    with pytest.raises(ValueError) as info:
        d2l.download('set/data.bin')
    message = str(info.value)
    assert 'set/data.bin' in message and wrong.split(':')[1] in message
    assert hashlib.new(algo, payload).hexdigest() in message
    assert _files(data_home) == []


def test_download_file_url(tmp_path, data_home, monkeypatch):
    """download copies from a file:// URL into the cache."""
    src = tmp_path / 'src.txt'
    src.write_text('hello')
    monkeypatch.setitem(d2l.DATA_HUB, 'a.txt', (src.as_uri(), _hash('sha1', b'hello')))
    assert open(d2l.download('a.txt')).read() == 'hello'


def test_download_with_explicit_cache_dir(tmp_path, monkeypatch):
    """download(name, cache_dir) stores the file under cache_dir."""
    src = tmp_path / 'src.txt'
    src.write_text('hi')
    monkeypatch.setitem(d2l.DATA_HUB, 'b.txt', (src.as_uri(), _hash('md5', b'hi')))
    assert d2l.download('b.txt', str(tmp_path / 'c')) == str(tmp_path / 'c' / 'b.txt')


def test_download_unknown_name(data_home):
    """download raises KeyError for a name in neither DATA_HUB nor hub.json."""
    with pytest.raises(KeyError, match='nope'):
        d2l.download('nope')


def test_hub_json_overrides_url_keeps_hash_and_adds_names(server, data_home, monkeypatch, tmp_path):
    """hub.json can point a registered name at a mirror (keeping its hash) and add new names."""
    payload = server.payload
    dead_url = 'http://127.0.0.1:9/unreachable'
    monkeypatch.setitem(d2l.DATA_HUB, 'mirrored.bin', (dead_url, _hash('sha1', payload)))
    data_home.mkdir()
    (data_home / 'hub.json').write_text(json.dumps({
        'mirrored.bin': {'url': server.url + 'data.bin'},
        'extra/new.bin': {'url': server.url + 'data.bin', 'hash': _hash('md5', payload)}}))
    hub = d2l.get_hub()
    assert hub['mirrored.bin'] == (server.url + 'data.bin', _hash('sha1', payload))
    assert open(d2l.download('mirrored.bin'), 'rb').read() == payload
    assert open(d2l.download('extra/new.bin'), 'rb').read() == payload
    assert server.requests == ['/data.bin', '/data.bin']
    assert 'extra/new.bin' not in d2l.DATA_HUB


def test_hub_json_new_name_needs_a_hash(data_home):
    """A hub.json entry for an unregistered name without a hash is rejected."""
    data_home.mkdir()
    (data_home / 'hub.json').write_text(json.dumps({'x.bin': {'url': 'file:///x'}}))
    with pytest.raises(ValueError, match='x.bin'):
        d2l.download('x.bin')


# -------------------------------------------------------------- IDX files
def test_read_idx_parses_the_standard_header(tmp_path):
    """read_idx reads a hand-built IDX3 ubyte file (magic 0x00000803, big-endian dims)."""
    pixels = bytes(range(24))
    (tmp_path / 'x.idx').write_bytes(struct.pack('>IIII', 0x803, 2, 3, 4) + pixels)
    (tmp_path / 'x.idx.gz').write_bytes(gzip.compress(struct.pack('>IIII', 0x803, 2, 3, 4) + pixels))
    for name in ('x.idx', 'x.idx.gz'):
        X = d2l.read_idx(tmp_path / name)
        assert X.dtype == torch.uint8 and X.shape == (2, 3, 4)
        assert X.reshape(-1).tolist() == list(range(24))


def test_read_idx_rejects_wrong_sizes(tmp_path):
    """read_idx raises ValueError when the data length disagrees with the header."""
    (tmp_path / 'bad').write_bytes(struct.pack('>II', 0x801, 5) + b'\x00' * 4)
    with pytest.raises(ValueError):
        d2l.read_idx(tmp_path / 'bad')


@SETTINGS
@given(array=hnp.arrays(st.sampled_from(['u1', 'i1', 'i2', 'i4', 'f4', 'f8']),
                        hnp.array_shapes(min_dims=1, max_dims=3, max_side=5)),
       gz=st.booleans())
def test_idx_round_trip(tmp_path_factory, array, gz):
    """write_idx then read_idx gives back the same array, gzipped or not."""
    path = tmp_path_factory.mktemp('idx') / ('a.idx' + ('.gz' if gz else ''))
    d2l.write_idx(path, array)
    assert (path.read_bytes()[:2] == b'\x1f\x8b') == gz
    back = d2l.read_idx(path).numpy()
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_write_idx_header_and_tensor_input(tmp_path):
    """write_idx of a uint8 tensor starts with 0x00000801 and the big-endian length."""
    d2l.write_idx(tmp_path / 'l.idx', torch.tensor([7, 8, 9], dtype=torch.uint8))
    assert (tmp_path / 'l.idx').read_bytes() == struct.pack('>II', 0x801, 3) + bytes([7, 8, 9])


# --------------------------------------------------------- Fashion-MNIST
@pytest.fixture
def tiny_fmnist(data_home):
    """Tiny Fashion-MNIST files and their hub.json in D2LKIT_DATA."""
    d2l.make_tiny_fashion_mnist(str(data_home))
    return data_home


@pytest.fixture
def no_network(monkeypatch):
    """Make any urlopen call (http or file://) fail the test."""
    def urlopen(*args, **kwargs):
        raise AssertionError('download attempted')
    monkeypatch.setattr('urllib.request.urlopen', urlopen)


def test_make_tiny_fashion_mnist_writes_hub_json(tiny_fmnist, tmp_path):
    """make_tiny_fashion_mnist writes the four files and file:// URLs with their sha1 in hub.json."""
    hub = json.loads((tiny_fmnist / 'hub.json').read_text())
    assert sorted(hub) == sorted(FMNIST)
    for name, entry in hub.items():
        data = (tiny_fmnist / name).read_bytes()
        assert entry['url'] == (tiny_fmnist / name).absolute().as_uri()
        assert entry['hash'] == _hash('sha1', data) and data[:2] == b'\x1f\x8b'
    assert d2l.read_idx(tiny_fmnist / FMNIST[0]).shape == (64, 28, 28)
    assert d2l.read_idx(tiny_fmnist / FMNIST[3]).shape == (32,)


def test_tiny_files_download_through_file_urls(tiny_fmnist, tmp_path):
    """Another cache folder holding the same hub.json fetches the tiny files over file:// URLs."""
    other = tmp_path / 'other'
    other.mkdir()
    (other / 'hub.json').write_text((tiny_fmnist / 'hub.json').read_text())
    path = d2l.download(FMNIST[1], str(other))
    assert open(path, 'rb').read() == (tiny_fmnist / FMNIST[1]).read_bytes()


def test_make_tiny_is_deterministic_and_keeps_other_entries(tmp_path):
    """make_tiny_fashion_mnist gives identical files for a seed and keeps foreign hub.json entries."""
    (tmp_path / 'a').mkdir()
    foreign = {'other.txt': {'url': 'file:///o', 'hash': 'sha1:00'}}
    (tmp_path / 'a' / 'hub.json').write_text(json.dumps(foreign))
    d2l.make_tiny_fashion_mnist(str(tmp_path / 'a'))
    d2l.make_tiny_fashion_mnist(str(tmp_path / 'b'))
    hub_a = json.loads((tmp_path / 'a' / 'hub.json').read_text())
    hub_b = json.loads((tmp_path / 'b' / 'hub.json').read_text())
    assert 'other.txt' in hub_a
    assert all(hub_a[name]['hash'] == hub_b[name]['hash'] for name in FMNIST)


def test_load_data_fashion_mnist_batches(tiny_fmnist, no_network):
    """Offline, loaders give float32 (B, 1, 28, 28) images in [0, 1], int64 labels 0..9, each once."""
    train_iter, test_iter = d2l.load_data_fashion_mnist(10)
    for loader, n, labels_file in ((train_iter, 64, FMNIST[1]), (test_iter, 32, FMNIST[3])):
        batches = list(loader)
        assert [len(y) for _, y in batches] == [10] * (n // 10) + [n % 10]
        X = torch.cat([X for X, _ in batches])
        y = torch.cat([y for _, y in batches])
        assert X.shape == (n, 1, 28, 28) and X.dtype == torch.float32
        assert 0 <= X.min() and X.max() <= 1
        assert y.dtype == torch.int64 and set(y.tolist()) == set(range(10))
        file_labels = d2l.read_idx(tiny_fmnist / labels_file).long()
        assert sorted(y.tolist()) == sorted(file_labels.tolist())
    images = d2l.read_idx(tiny_fmnist / FMNIST[2]).float() / 255
    labels = d2l.read_idx(tiny_fmnist / FMNIST[3]).long()
    # the test set comes in file order
    torch.testing.assert_close(torch.cat([X for X, _ in test_iter])[:, 0], images)
    assert torch.equal(torch.cat([y for _, y in test_iter]), labels)


def test_load_data_fashion_mnist_shuffles_train(tiny_fmnist):
    """The training loader reshuffles every epoch."""
    torch.manual_seed(0)
    train_iter, _ = d2l.load_data_fashion_mnist(64)
    (_, y1), = list(train_iter)
    (_, y2), = list(train_iter)
    assert not torch.equal(y1, y2)


@pytest.mark.parametrize('resize, size', [(32, (32, 32)), ((20, 24), (20, 24))])
def test_load_data_fashion_mnist_resize(tiny_fmnist, resize, size):
    """resize (int or pair) interpolates the images to that size, staying in [0, 1]."""
    _, test_iter = d2l.load_data_fashion_mnist(16, resize=resize)
    X, y = next(iter(test_iter))
    assert X.shape == (16, 1, *size) and X.dtype == torch.float32
    assert 0 <= X.min() and X.max() <= 1


def test_load_array():
    """load_array batches a TensorDataset, shuffled only for training."""
    X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    batches = list(d2l.load_array((X, y), 2, is_train=False))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    torch.manual_seed(0)
    seen = torch.cat([b[1] for b in d2l.load_array((X, y), 2)])
    assert sorted(seen.tolist()) == [0, 1, 2, 3, 4]
