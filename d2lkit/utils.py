"""Small helpers shared across the book: timing, running sums, live plots.

Plotting never imports ``matplotlib.pyplot``: figures are plain
``matplotlib.figure.Figure`` objects, so they work headless (no display, any
backend, e.g. ``MPLBACKEND=Agg``). Inside a Jupyter kernel the
:class:`Animator` redraws itself through ``IPython.display``; elsewhere it
only keeps the data (``animator.X``, ``animator.Y``, ``animator.fig``).
"""
import io
import itertools
import time

__all__ = ['Timer', 'Accumulator', 'Animator', 'set_figsize', 'use_svg_display']

_FORMAT = {'fmt': 'png'}


def use_svg_display():
    """Make :class:`Animator` render SVG instead of PNG in notebooks."""
    _FORMAT['fmt'] = 'svg'


def set_figsize(figsize=(3.5, 2.5)):
    """Set the default figure size (inches) for new figures."""
    import matplotlib
    matplotlib.rcParams['figure.figsize'] = figsize


class Timer:
    """Record wall-clock intervals; the first one starts at construction."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start (or restart) the current interval."""
        self.tik = time.perf_counter()

    def stop(self):
        """End the current interval, record it and return it in seconds."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        """Mean recorded interval (seconds)."""
        return self.sum() / len(self.times)

    def sum(self):
        """Total of the recorded intervals (seconds)."""
        return sum(self.times)

    def cumsum(self):
        """Running totals of the recorded intervals, as a list."""
        return list(itertools.accumulate(self.times))


class Accumulator:
    """Running sums of ``n`` quantities (stored as Python floats)."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        """Add one value to each of the ``n`` sums (tensors are converted with float())."""
        self.data = [a + float(b) for a, b in zip(self.data, args, strict=True)]

    def reset(self):
        """Set every sum back to zero."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, i):
        return self.data[i]


def _notebook_display():
    """``IPython.display`` when running inside a Jupyter kernel, else None."""
    try:
        from IPython import display, get_ipython
    except ImportError:
        return None
    return display if getattr(get_ipython(), 'kernel', None) is not None else None


class Animator:
    """A line plot that grows one point per curve at each :meth:`add`.

    ``legend`` names the curves in order; ``fmts`` are matplotlib format
    strings cycled over the curves; ``figsize`` defaults to matplotlib's
    ``figure.figsize`` (see :func:`set_figsize`). The data stay in ``X`` and
    ``Y`` (one list per curve) and the figure in ``fig``.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None,
                 ylim=None, xscale='linear', yscale='linear',
                 fmts=('-', 'm--', 'g-.', 'r:'), figsize=None):
        from matplotlib.figure import Figure
        self.fig = Figure(figsize=figsize)
        self.ax = self.fig.add_subplot()
        self.axes_kw = dict(xlabel=xlabel, ylabel=ylabel, xlim=xlim, ylim=ylim,
                            xscale=xscale, yscale=yscale)
        self.legend, self.fmts = list(legend or []), fmts
        self.X, self.Y = [], []

    def add(self, x, y):
        """Append point(s): ``y`` a number or one value per curve (None skips a curve);
        ``x`` a number shared by all curves or one value per curve."""
        ys = list(y) if hasattr(y, '__len__') else [y]
        xs = list(x) if hasattr(x, '__len__') else [x] * len(ys)
        if not self.X:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        self.draw()

    def draw(self):
        """Redraw the curves; in a notebook, replace the displayed image."""
        self.ax.cla()
        for x, y, fmt in zip(self.X, self.Y, itertools.cycle(self.fmts)):
            self.ax.plot(x, y, fmt)
        self.ax.set(**{k: v for k, v in self.axes_kw.items() if v is not None})
        if self.legend:
            self.ax.legend(self.legend)
        self.ax.grid(True)
        display = _notebook_display()
        if display is not None:
            display.display(self._image(display))
            display.clear_output(wait=True)

    def _image(self, display):
        buf = io.BytesIO()
        self.fig.savefig(buf, format=_FORMAT['fmt'], bbox_inches='tight')
        if _FORMAT['fmt'] == 'svg':
            return display.SVG(buf.getvalue())
        return display.Image(buf.getvalue(), format='png')
