"""Signal building blocks of the synthesiser: seeded draws, wavetable oscillators, shaped noise,
envelopes and pulse trains, all on float32 arrays of ``T`` samples at ``sr`` Hz."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

F32 = np.float32
TWO_PI = 2.0 * np.pi
_TABLE_N = 1024  # wavetable points per cycle (harmonics up to _BASIS_K)
_BASIS_K = 32


class Rng:
    """One clip's random stream: array draws straight from a numpy ``Generator``, scalar
    draws from a buffered block of its uniforms (refilled 64 at a time, same order every run)."""

    __slots__ = ("gen", "_buf")

    def __init__(self, entropy: list[int]):
        self.gen = np.random.default_rng(entropy)
        self._buf: list[float] = []

    def random(self) -> float:
        """Uniform in [0, 1)."""
        if not self._buf:
            self._buf = self.gen.random(64).tolist()
            self._buf.reverse()
        return self._buf.pop()

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.random()

    def integers(self, lo: int, hi: int) -> int:
        """Uniform integer in ``[lo, hi)``."""
        return min(hi - 1, lo + int(self.random() * (hi - lo)))

    def uniforms(self, lo: float, hi: float, n: int) -> np.ndarray:
        return self.gen.uniform(lo, hi, n)


Synth = Callable[[Rng, int, int, float], np.ndarray]

# --------------------------------------------------------------------------------------------
# Building blocks: float32 arrays of ``T`` samples at ``sr`` Hz. Oscillator phases are uint32
# fixed point (exact wrap-around), so long clips keep their pitch.
# --------------------------------------------------------------------------------------------


def n_harmonics(f_max: float, sr: int, cap: int) -> int:
    """How many harmonics of a tone whose fundamental reaches ``f_max`` stay below 0.45*sr
    (at least one)."""
    return int(max(1, min(cap, np.floor(0.45 * sr / max(f_max, 1.0)))))


_COUNTER = np.zeros(0, dtype=np.uint32)


def _counter(T: int) -> np.ndarray:
    """``arange(T)`` as uint32, a read-only view of one shared, growing array."""
    global _COUNTER
    if _COUNTER.shape[0] < T:
        counter = np.arange(max(T, 2 * _COUNTER.shape[0]), dtype=np.uint32)
        counter.flags.writeable = False
        _COUNTER = counter
    return _COUNTER[:T]


@lru_cache(maxsize=16)
def log_freqs(n: int, sr: int) -> np.ndarray:
    """``log(max(f, 10 Hz))`` of the ``rfft`` bins of ``n`` samples, float32 (read-only)."""
    out = np.log(np.maximum(np.fft.rfftfreq(n, 1.0 / sr), 10.0)).astype(F32)
    out.flags.writeable = False
    return out


def _phase(freq: float | np.ndarray, T: int, sr: int, phase0: float) -> np.ndarray:
    """Phase of a tone of (instantaneous) ``freq`` Hz (below 0.45*sr) starting at ``phase0``
    cycles, as uint32 fixed point (one cycle = 2**32): wrap-around is exact for any length."""
    start = np.uint32(int(phase0 * 2.0**32) & 0xFFFFFFFF)
    if np.ndim(freq) == 0:
        acc = _counter(T) * np.uint32(int(min(float(freq), 0.45 * sr) / sr * 2.0**32))
    else:
        acc = np.cumsum((freq * F32(2.0**32 / sr)).astype(np.uint32), dtype=np.uint32)
    acc += start
    return acc


def sine(freq: float, T: int, sr: int, phase0: float) -> np.ndarray:
    """``sin(2*pi*(freq*t + phase0))`` as float32 (for modulators and short kernels)."""
    x = _phase(freq, T, sr, phase0).astype(F32)
    x *= F32(TWO_PI / 2.0**32)
    return np.sin(x, out=x)


@lru_cache(maxsize=1)
def _basis() -> tuple[np.ndarray, np.ndarray]:
    """``sin(k*theta)`` and ``cos(k*theta)`` for ``k = 1.._BASIS_K`` on a ``_TABLE_N`` grid (read-only)."""
    kt = np.arange(1, _BASIS_K + 1)[:, None] * (np.arange(_TABLE_N) * (TWO_PI / _TABLE_N))
    sin, cos = np.sin(kt).astype(F32), np.cos(kt).astype(F32)
    sin.flags.writeable = cos.flags.writeable = False
    return sin, cos


def _wavetable(coef: np.ndarray, n: int) -> np.ndarray:
    """One cycle on ``n`` points of ``sum_h |coef[h-1]| * sin(h*theta + angle(coef[h-1]))``."""
    if n == _TABLE_N and len(coef) <= _BASIS_K:  # few harmonics: a small matrix product
        sin, cos = _basis()
        K = len(coef)
        return coef.real.astype(F32) @ sin[:K] + coef.imag.astype(F32) @ cos[:K]
    spec = np.zeros(n // 2 + 1, dtype=np.complex128)
    spec[1 : len(coef) + 1] = coef * (-0.5j * n)
    return np.fft.irfft(spec, n).astype(F32)


def osc(
    freq: float | np.ndarray, T: int, sr: int, coef: np.ndarray, phase0: float, n: int = _TABLE_N
) -> np.ndarray:
    """Band-limited periodic oscillator: a wavetable of ``n`` points read with linear
    interpolation. ``freq`` is the fundamental in Hz, a scalar or a ``(T,)`` array;
    ``coef[h-1] = a * exp(1j * phi)`` adds ``a * sin(h * theta + phi)`` (harmonic ``h``)."""
    table = np.empty(n + 2, dtype=F32)  # one cycle, wrapped twice (float32 rounding may reach n)
    table[:n] = _wavetable(coef, n)
    table[n:] = table[:2]
    slope = table[1:] - table[:-1]
    x = _phase(freq, T, sr, phase0).astype(F32)
    x *= F32(n / 2.0**32)
    i = np.floor(x)
    x -= i
    i = i.astype(np.intp)
    x *= slope[i]
    x += table[i]
    return x


def harmonic_tone(r: Rng, freq: float | np.ndarray, T: int, sr: int, amps: np.ndarray) -> np.ndarray:
    """Harmonic tone (``amps[k-1]`` for harmonic ``k``) with random harmonic phases and start phase."""
    return osc(freq, T, sr, amps * np.exp(1j * r.uniforms(0.0, TWO_PI, len(amps))), r.random())


def unit_rms(x: np.ndarray) -> np.ndarray:
    """Scale to unit RMS (left as is when silent)."""
    ms = float(np.dot(x, x)) / x.size if x.size else 0.0
    return x * F32(1.0 / np.sqrt(ms)) if ms > 1e-24 else x


def colored_noise(
    r: Rng,
    T: int,
    sr: int,
    beta: float = 0.0,
    lo: float | None = None,
    hi: float | None = None,
) -> np.ndarray:
    """Unit-RMS random-phase noise with power ~ 1/f**beta, optionally band-limited (4th-power
    skirts at ``lo``/``hi`` Hz)."""
    if T < 4:
        return r.gen.standard_normal(T).astype(F32)
    from scipy.fft import next_fast_len  # here: importing the plugin (planning) stays light

    n = next_fast_len(T, real=True)  # generate a little more, keep the first T samples
    logf = log_freqs(n, sr)
    gain = np.exp(logf * F32(-beta / 2.0))
    if hi is not None:  # / sqrt(1 + (f/hi)^4)
        gain /= np.sqrt(1.0 + np.exp((logf - F32(np.log(hi))) * F32(4.0)))
    if lo is not None:  # / sqrt(1 + (lo/f)^4)
        gain /= np.sqrt(1.0 + np.exp((F32(np.log(lo)) - logf) * F32(4.0)))
    phase = r.gen.random(logf.shape[0], dtype=F32)
    phase *= F32(TWO_PI)
    spec = np.empty(logf.shape[0], dtype=np.complex64)
    spec.real = gain * np.cos(phase)
    spec.imag = gain * np.sin(phase)
    spec[0] = 0.0
    return unit_rms(np.fft.irfft(spec, n=n)[:T].astype(F32, copy=False))


def wobble(r: Rng, T: int, sr: int, max_hz: float) -> np.ndarray:
    """A slowly varying random curve with unit variance: two random sinusoids below ``max_hz``."""
    out = sine(r.uniform(0.05, max_hz), T, sr, r.random())
    out += sine(r.uniform(0.05, max_hz), T, sr, r.random())
    out *= F32(np.sqrt(0.5))
    return out


def segment_env(T: int, sr: int, start: int, length: int, attack: float, release: float) -> np.ndarray:
    """Trapezoid envelope: 0 outside ``[start, start+length)``, linear attack/release in seconds."""
    env = np.zeros(T, dtype=F32)
    a, b = max(0, start), min(T, start + length)
    if b > a:
        n = np.arange(a - start, b - start, dtype=F32)
        up = n * F32(1.0 / max(1.0, attack * sr))
        down = (F32(length) - n) * F32(1.0 / max(1.0, release * sr))
        np.clip(np.minimum(up, down, out=up), 0.0, 1.0, out=env[a:b])
    return env


def add(out: np.ndarray, start: int, seg: np.ndarray) -> None:
    """``out[start:start+len(seg)] += seg``, clipped to ``out``."""
    if 0 <= start < out.shape[0]:
        end = min(out.shape[0], start + seg.shape[0])
        out[start:end] += seg[: end - start]


def pulses(r: Rng, T: int, sr: int, rate: float, jitter: float, kernel: np.ndarray) -> np.ndarray:
    """``kernel`` repeated at ``rate`` Hz (random phase, relative timing and amplitude jitter)."""
    period = sr / rate
    n_hits = int(T / period) + 2
    gaps = np.maximum(period * (1.0 + jitter * r.gen.standard_normal(n_hits)), 0.3 * period)
    pos = r.uniform(0.0, period) + np.concatenate([[0.0], np.cumsum(gaps)[:-1]])
    amps = r.uniforms(0.6, 1.0, n_hits).astype(F32)
    out = np.zeros(T, dtype=F32)
    for p, a in zip(pos[pos < T].astype(np.int64).tolist(), amps.tolist(), strict=False):
        end = min(T, p + kernel.shape[0])
        out[p:end] += F32(a) * kernel[: end - p]
    return out


def decay(L: int, sr: int, tau: float) -> np.ndarray:
    return np.exp(np.arange(L, dtype=F32) * F32(-1.0 / (tau * sr)))


def decay_sine(r: Rng, L: int, sr: int, f: float, tau: float) -> np.ndarray:
    return sine(f, L, sr, r.random()) * decay(L, sr, tau)


def ramp(L: int, sr: int, seconds: float) -> np.ndarray:
    """Linear fade-in over ``seconds``, then 1."""
    return np.minimum(np.arange(L, dtype=F32) * F32(1.0 / max(1.0, seconds * sr)), F32(1.0))
