"""Tests of d2lkit.utils (Timer, Accumulator, Animator) and d2lkit.devices."""
import os
import subprocess
import sys
import textwrap
import time

import pytest
import torch

import d2lkit as d2l

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_timer_records_intervals():
    """Timer.stop records each interval; sum, avg and cumsum agree with the records."""
    timer = d2l.Timer()
    time.sleep(0.01)
    first = timer.stop()
    timer.start()
    second = timer.stop()
    assert first >= 0.009 and 0 <= second < first
    assert timer.times == [first, second]
    assert timer.sum() == pytest.approx(first + second)
    assert timer.avg() == pytest.approx((first + second) / 2)
    assert timer.cumsum() == pytest.approx([first, first + second])


def test_accumulator_adds_resets_and_indexes():
    """Accumulator keeps n running float sums, accepts tensors, resets, and rejects wrong arity."""
    acc = d2l.Accumulator(3)
    acc.add(1, 2.5, torch.tensor(3.0))
    acc.add(1, 0.5, 1)
    assert [acc[0], acc[1], acc[2]] == [2.0, 3.0, 4.0]
    assert all(type(acc[i]) is float for i in range(3))
    with pytest.raises(ValueError):
        acc.add(1, 2)
    acc.reset()
    assert acc.data == [0.0, 0.0, 0.0]


def test_animator_keeps_data_and_draws_lines():
    """Animator.add appends one point per curve (None skips one) and plots every curve."""
    anim = d2l.Animator(xlabel='epoch', xlim=[1, 3], legend=['loss', 'acc'])
    anim.add(1, [torch.tensor(0.9, dtype=torch.float64), 0.5])
    anim.add(2, (0.7, None))
    anim.add(3, [0.5, 0.8])
    assert anim.X == [[1.0, 2.0, 3.0], [1.0, 3.0]]
    assert anim.Y == [[0.9, 0.7, 0.5], [0.5, 0.8]]
    lines = anim.ax.get_lines()
    assert [list(line.get_ydata()) for line in lines] == anim.Y
    assert anim.ax.get_xlabel() == 'epoch' and tuple(anim.ax.get_xlim()) == (1, 3)
    assert [t.get_text() for t in anim.ax.get_legend().get_texts()] == ['loss', 'acc']


def test_animator_redraws_in_a_notebook(monkeypatch):
    """In a notebook, each add displays a fresh PNG (or SVG) image and clears the previous one."""
    from IPython import display as ipy_display
    calls = []

    class FakeDisplay:
        Image, SVG = ipy_display.Image, ipy_display.SVG

        @staticmethod
        def display(obj):
            calls.append(type(obj).__name__)

        @staticmethod
        def clear_output(wait=False):
            calls.append(('clear', wait))

    utils = sys.modules['d2lkit.utils']
    monkeypatch.setattr(utils, '_notebook_display', lambda: FakeDisplay)
    monkeypatch.setitem(utils._FORMAT, 'fmt', 'png')
    anim = d2l.Animator()
    anim.add(1, 0.5)
    d2l.use_svg_display()
    anim.add(2, 0.4)
    assert calls == ['Image', ('clear', True), 'SVG', ('clear', True)]


def test_animator_headless_without_pyplot(tmp_path):
    """With MPLBACKEND=Agg and no display, Animator works, saves a PNG, and never imports pyplot."""
    script = textwrap.dedent(f"""
        import sys
        import d2lkit as d2l
        d2l.set_figsize((4, 3))
        anim = d2l.Animator(xlabel='epoch', legend=['train'])
        for epoch in range(3):
            anim.add(epoch + 1, [1.0 / (epoch + 1)])
        anim.fig.savefig({str(tmp_path / 'plot.png')!r})
        assert tuple(anim.fig.get_size_inches()) == (4, 3)
        assert 'matplotlib.pyplot' not in sys.modules
    """)
    env = {k: v for k, v in os.environ.items() if k not in ('DISPLAY', 'WAYLAND_DISPLAY')}
    env.update(MPLBACKEND='Agg', PYTHONPATH=ROOT)
    subprocess.run([sys.executable, '-c', script], env=env, check=True, timeout=120)
    assert (tmp_path / 'plot.png').read_bytes()[:4] == b'\x89PNG'


def test_devices():
    """cpu/gpu build devices, try_gpu falls back to the CPU, try_all_gpus lists every GPU or the CPU."""
    assert d2l.cpu() == torch.device('cpu')
    assert d2l.gpu(1) == torch.device('cuda:1')
    n = d2l.num_gpus()
    assert n == torch.cuda.device_count()
    assert d2l.try_gpu() == (torch.device('cuda:0') if n else torch.device('cpu'))
    assert d2l.try_gpu(n) == torch.device('cpu')
    assert d2l.try_all_gpus() == ([torch.device(f'cuda:{i}') for i in range(n)] or [torch.device('cpu')])


def test_public_api_is_reexported():
    """Every name in a module's __all__ is reachable as d2l.<name> and listed in d2l.__all__."""
    for module in ('utils', 'devices', 'data', 'linear_regression', 'softmax_regression'):
        for name in sys.modules[f'd2lkit.{module}'].__all__:
            assert getattr(d2l, name) is getattr(sys.modules[f'd2lkit.{module}'], name)
            assert name in d2l.__all__
    assert len(d2l.__all__) == len(set(d2l.__all__))
