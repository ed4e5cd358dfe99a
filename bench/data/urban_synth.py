"""``urban-synth``: a deterministic synthetic environmental-sound dataset shaped like UrbanSound8K.

Ten classes, in UrbanSound8K's order (``air_conditioner`` ... ``street_music``), each drawn
by a small numpy synthesiser. Nothing is read from disk or downloaded.

Every clip is a pure function of ``(seed, class index, clip index)``, the clip length, the
sample rate, ``snr_db`` and ``overlap_prob``: its randomness is one stream seeded with
``[seed, 0xC1, class, i]`` and drawn in a fixed order (the event first, then onset delay,
background, SNR, gain and DC offset, the overlapping event last). So a clip does not change
when ``n_per_class``, ``n_classes`` or the split fractions change, and changing ``snr_db`` or
``overlap_prob`` leaves its event (and, for ``overlap_prob``, its background noise) as it was.
The splits are drawn from a separate stream per class (``[seed, 0x5B, class]``).

Per clip: a random frequency scale (0.85-1.15, applied to every frequency of the event),
random event timing and, half of the time, an onset delayed by up to a quarter of the clip;
a random recording "channel" applied to the event (spectral tilt of +-3 dB per octave, a
distance low-pass at 1.5-8 kHz, a small-microphone high-pass at 40-400 Hz); background noise
(pink to brown: power ~ 1/f**beta, beta uniform in [1, 2]) at an SNR drawn uniformly from
``snr_db`` (SNR = mean power of the filtered event over the whole clip / mean power of the
noise); with probability ``overlap_prob`` a quieter event of another class (any of the ten,
so clips do not depend on ``n_classes``), 3-12 dB below the event, added on top. The mix is
peak-normalised, then scaled by a random gain of -12..0 dB (times 0.99) and given a DC offset
of at most 0.01 in magnitude, so ``|x| <= 1`` always.

The classes overlap on purpose (a whine in some air conditioners, hammer-drill modulation
in some drills, a two-tone "hi-lo" siren near a car horn, drums under some street music,
low-SNR clips), so a classifier does well but not perfectly.

Speed: every synthesiser works on whole float32 arrays (wavetable oscillators with uint32
phase accumulators, FFT-shaped noise, kernels placed at pulse times); the channel and the
background are applied in one frequency-domain pass; scalar random draws come from a buffered
block of uniforms because single numpy draws cost microseconds each. Clips are generated one
after another (threads do not help: the work is many short numpy calls, bound by the GIL).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from pydantic import Field, model_validator
from scipy.fft import next_fast_len

from bench.core.plugin import Params
from bench.data.base import SPLITS, BaseDataset, RawData
from bench.data.urbansound8k import CLASS_NAMES  # the synthetic clips mimic UrbanSound8K's classes

_F32 = np.float32
_TWO_PI = 2.0 * np.pi
_TABLE_N = 1024  # wavetable points per cycle (harmonics up to _BASIS_K)
_BASIS_K = 32
_CLIP_TAG = 0xC1
_SPLIT_TAG = 0x5B


class _Rng:
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


Synth = Callable[[_Rng, int, int, float], np.ndarray]

# --------------------------------------------------------------------------------------------
# Building blocks: float32 arrays of ``T`` samples at ``sr`` Hz. Oscillator phases are uint32
# fixed point (exact wrap-around), so long clips keep their pitch.
# --------------------------------------------------------------------------------------------


def _n_harmonics(f_max: float, sr: int, cap: int) -> int:
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
def _log_freqs(n: int, sr: int) -> np.ndarray:
    """``log(max(f, 10 Hz))`` of the ``rfft`` bins of ``n`` samples, float32 (read-only)."""
    out = np.log(np.maximum(np.fft.rfftfreq(n, 1.0 / sr), 10.0)).astype(_F32)
    out.flags.writeable = False
    return out


def _phase(freq: float | np.ndarray, T: int, sr: int, phase0: float) -> np.ndarray:
    """Phase of a tone of (instantaneous) ``freq`` Hz (below 0.45*sr) starting at ``phase0``
    cycles, as uint32 fixed point (one cycle = 2**32): wrap-around is exact for any length."""
    start = np.uint32(int(phase0 * 2.0**32) & 0xFFFFFFFF)
    if np.ndim(freq) == 0:
        acc = _counter(T) * np.uint32(int(min(float(freq), 0.45 * sr) / sr * 2.0**32))
    else:
        acc = np.cumsum((freq * _F32(2.0**32 / sr)).astype(np.uint32), dtype=np.uint32)
    acc += start
    return acc


def _sin(freq: float, T: int, sr: int, phase0: float) -> np.ndarray:
    """``sin(2*pi*(freq*t + phase0))`` as float32 (for modulators and short kernels)."""
    x = _phase(freq, T, sr, phase0).astype(_F32)
    x *= _F32(_TWO_PI / 2.0**32)
    return np.sin(x, out=x)


@lru_cache(maxsize=1)
def _basis() -> tuple[np.ndarray, np.ndarray]:
    """``sin(k*theta)`` and ``cos(k*theta)`` for ``k = 1.._BASIS_K`` on a ``_TABLE_N`` grid (read-only)."""
    kt = np.arange(1, _BASIS_K + 1)[:, None] * (np.arange(_TABLE_N) * (_TWO_PI / _TABLE_N))
    sin, cos = np.sin(kt).astype(_F32), np.cos(kt).astype(_F32)
    sin.flags.writeable = cos.flags.writeable = False
    return sin, cos


def _wavetable(coef: np.ndarray, n: int) -> np.ndarray:
    """One cycle on ``n`` points of ``sum_h |coef[h-1]| * sin(h*theta + angle(coef[h-1]))``."""
    if n == _TABLE_N and len(coef) <= _BASIS_K:  # few harmonics: a small matrix product
        sin, cos = _basis()
        K = len(coef)
        return coef.real.astype(_F32) @ sin[:K] + coef.imag.astype(_F32) @ cos[:K]
    spec = np.zeros(n // 2 + 1, dtype=np.complex128)
    spec[1 : len(coef) + 1] = coef * (-0.5j * n)
    return np.fft.irfft(spec, n).astype(_F32)


def _osc(
    freq: float | np.ndarray, T: int, sr: int, coef: np.ndarray, phase0: float, n: int = _TABLE_N
) -> np.ndarray:
    """Band-limited periodic oscillator: a wavetable of ``n`` points read with linear
    interpolation. ``freq`` is the fundamental in Hz, a scalar or a ``(T,)`` array;
    ``coef[h-1] = a * exp(1j * phi)`` adds ``a * sin(h * theta + phi)`` (harmonic ``h``)."""
    table = np.empty(n + 2, dtype=_F32)  # one cycle, wrapped twice (float32 rounding may reach n)
    table[:n] = _wavetable(coef, n)
    table[n:] = table[:2]
    slope = table[1:] - table[:-1]
    x = _phase(freq, T, sr, phase0).astype(_F32)
    x *= _F32(n / 2.0**32)
    i = np.floor(x)
    x -= i
    i = i.astype(np.intp)
    x *= slope[i]
    x += table[i]
    return x


def _tone(r: _Rng, freq: float | np.ndarray, T: int, sr: int, amps: np.ndarray) -> np.ndarray:
    """Harmonic tone (``amps[k-1]`` for harmonic ``k``) with random harmonic phases and start phase."""
    return _osc(freq, T, sr, amps * np.exp(1j * r.uniforms(0.0, _TWO_PI, len(amps))), r.random())


def _unit(x: np.ndarray) -> np.ndarray:
    """Scale to unit RMS (left as is when silent)."""
    ms = float(np.dot(x, x)) / x.size if x.size else 0.0
    return x * _F32(1.0 / np.sqrt(ms)) if ms > 1e-24 else x


def _noise(
    r: _Rng,
    T: int,
    sr: int,
    beta: float = 0.0,
    lo: float | None = None,
    hi: float | None = None,
) -> np.ndarray:
    """Unit-RMS random-phase noise with power ~ 1/f**beta, optionally band-limited (4th-power
    skirts at ``lo``/``hi`` Hz)."""
    if T < 4:
        return r.gen.standard_normal(T).astype(_F32)
    n = next_fast_len(T, real=True)  # generate a little more, keep the first T samples
    logf = _log_freqs(n, sr)
    gain = np.exp(logf * _F32(-beta / 2.0))
    if hi is not None:  # / sqrt(1 + (f/hi)^4)
        gain /= np.sqrt(1.0 + np.exp((logf - _F32(np.log(hi))) * _F32(4.0)))
    if lo is not None:  # / sqrt(1 + (lo/f)^4)
        gain /= np.sqrt(1.0 + np.exp((_F32(np.log(lo)) - logf) * _F32(4.0)))
    phase = r.gen.random(logf.shape[0], dtype=_F32)
    phase *= _F32(_TWO_PI)
    spec = np.empty(logf.shape[0], dtype=np.complex64)
    spec.real = gain * np.cos(phase)
    spec.imag = gain * np.sin(phase)
    spec[0] = 0.0
    return _unit(np.fft.irfft(spec, n=n)[:T].astype(_F32, copy=False))


def _wobble(r: _Rng, T: int, sr: int, max_hz: float) -> np.ndarray:
    """A slowly varying random curve with unit variance: two random sinusoids below ``max_hz``."""
    out = _sin(r.uniform(0.05, max_hz), T, sr, r.random())
    out += _sin(r.uniform(0.05, max_hz), T, sr, r.random())
    out *= _F32(np.sqrt(0.5))
    return out


def _segment_env(T: int, sr: int, start: int, length: int, attack: float, release: float) -> np.ndarray:
    """Trapezoid envelope: 0 outside ``[start, start+length)``, linear attack/release in seconds."""
    env = np.zeros(T, dtype=_F32)
    a, b = max(0, start), min(T, start + length)
    if b > a:
        n = np.arange(a - start, b - start, dtype=_F32)
        up = n * _F32(1.0 / max(1.0, attack * sr))
        down = (_F32(length) - n) * _F32(1.0 / max(1.0, release * sr))
        np.clip(np.minimum(up, down, out=up), 0.0, 1.0, out=env[a:b])
    return env


def _add(out: np.ndarray, start: int, seg: np.ndarray) -> None:
    """``out[start:start+len(seg)] += seg``, clipped to ``out``."""
    if 0 <= start < out.shape[0]:
        end = min(out.shape[0], start + seg.shape[0])
        out[start:end] += seg[: end - start]


def _pulses(r: _Rng, T: int, sr: int, rate: float, jitter: float, kernel: np.ndarray) -> np.ndarray:
    """``kernel`` repeated at ``rate`` Hz (random phase, relative timing and amplitude jitter)."""
    period = sr / rate
    n_hits = int(T / period) + 2
    gaps = np.maximum(period * (1.0 + jitter * r.gen.standard_normal(n_hits)), 0.3 * period)
    pos = r.uniform(0.0, period) + np.concatenate([[0.0], np.cumsum(gaps)[:-1]])
    amps = r.uniforms(0.6, 1.0, n_hits).astype(_F32)
    out = np.zeros(T, dtype=_F32)
    for p, a in zip(pos[pos < T].astype(np.int64).tolist(), amps.tolist(), strict=False):
        end = min(T, p + kernel.shape[0])
        out[p:end] += _F32(a) * kernel[: end - p]
    return out


def _decay(L: int, sr: int, tau: float) -> np.ndarray:
    return np.exp(np.arange(L, dtype=_F32) * _F32(-1.0 / (tau * sr)))


def _decay_sine(r: _Rng, L: int, sr: int, f: float, tau: float) -> np.ndarray:
    return _sin(f, L, sr, r.random()) * _decay(L, sr, tau)


def _ramp(L: int, sr: int, seconds: float) -> np.ndarray:
    """Linear fade-in over ``seconds``, then 1."""
    return np.minimum(np.arange(L, dtype=_F32) * _F32(1.0 / max(1.0, seconds * sr)), _F32(1.0))


# --------------------------------------------------------------------------------------------
# One synthesiser per class: (r, T, sr, s) -> (T,) float32 event; s is the clip's frequency
# scale, applied to every frequency.
# --------------------------------------------------------------------------------------------


def _air_conditioner(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    f0 = r.uniform(45.0, 130.0) * s
    K = _n_harmonics(f0, sr, 12)
    amps = r.uniforms(0.3, 1.0, K) / np.arange(1, K + 1) ** r.uniform(0.5, 1.5)
    hum = _tone(r, f0, T, sr, amps)
    hum *= 1.0 + _F32(r.uniform(0.05, 0.4)) * _sin(r.uniform(0.3, 4.0), T, sr, r.random())  # slow AM
    fan = _noise(r, T, sr, beta=r.uniform(0.0, 1.5), lo=60.0 * s, hi=r.uniform(600.0, 4000.0) * s)
    sig = _unit(hum)
    sig += _F32(r.uniform(0.4, 1.6)) * fan
    if r.random() < 0.3:  # compressor whine: overlaps with drilling
        fw = r.uniform(900.0, 3000.0) * s
        sig += _F32(r.uniform(0.1, 0.5) * np.sqrt(2.0)) * _sin(fw, T, sr, r.random())
    return sig


def _car_horn(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    f1 = r.uniform(380.0, 520.0) * s
    u = r.random()  # unison, minor third, major third, fourth
    ratio = 1.0 if u < 0.25 else 1.19 if u < 0.5 else 1.26 if u < 0.8 else 1.33
    K = _n_harmonics(f1 * ratio, sr, 14)
    amps = 1.0 / np.arange(1, K + 1) ** r.uniform(0.5, 1.3)
    tone = _tone(r, f1, T, sr, amps)
    if ratio != 1.0:
        tone += _F32(r.uniform(0.6, 1.0)) * _tone(r, f1 * ratio, T, sr, amps)
    n_honks = 1 if r.random() < 0.7 else 2
    env = np.zeros(T, dtype=_F32)
    for _ in range(n_honks):
        start = int(r.uniform(0.0, 0.5) * T)
        length = int(r.uniform(0.15, 0.9) * T / n_honks)
        attack, release = r.uniform(0.01, 0.03), r.uniform(0.02, 0.06)
        np.maximum(env, _segment_env(T, sr, start, length, attack, release), out=env)
    return tone * env


def _children_playing(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = _noise(r, T, sr, beta=1.0, lo=200.0, hi=3000.0)  # distant crowd
    out *= _F32(0.15)
    for _ in range(r.integers(2, 5)):  # voices: a pitch and two formants each
        f0 = r.uniform(250.0, 450.0) * s
        K = _n_harmonics(1.5 * f0, sr, 16)  # syllables glide at most to 1.46 * f0
        fk = f0 * np.arange(1, K + 1)
        F1, F2 = r.uniform(400.0, 1000.0) * s, r.uniform(1000.0, 2600.0) * s
        bw1, bw2 = r.uniform(120.0, 300.0), r.uniform(150.0, 400.0)
        amps = np.exp(-0.5 * ((fk - F1) / bw1) ** 2) + 0.7 * np.exp(-0.5 * ((fk - F2) / bw2) ** 2) + 0.05
        amps *= np.sqrt(2.0 / np.sum(amps**2))  # unit RMS
        # syllables: voiced chirps (gliding pitch, vibrato, half-sine envelope), rendered back
        # to back in one oscillator call and then added at their own times
        n_syl = r.integers(1, 4)
        starts = [int(r.uniform(-0.05, 0.9) * T) for _ in range(n_syl)]
        lens = [int(r.uniform(0.08, 0.3) * sr) for _ in range(n_syl)]
        glides = [r.uniform(-0.25, 0.3) for _ in range(n_syl)]
        levels = [r.uniform(0.4, 1.0) for _ in range(n_syl)]
        depth, rate, phase = r.uniform(0.02, 0.12), r.uniform(3.0, 8.0), r.random()
        L = sum(lens)
        pos = np.arange(L, dtype=_F32) - np.repeat(np.cumsum([0, *lens[:-1]]), lens).astype(_F32)
        inv_len = np.repeat(np.array(lens, dtype=_F32) ** -1, lens)
        pos *= inv_len  # position inside its syllable, 0..1
        freq = _sin(rate, L, sr, phase)
        freq *= _F32(depth)
        freq += 1.0
        freq *= _F32(f0) * (1.0 + np.repeat(np.array(glides, dtype=_F32), lens) * pos)
        syl = _tone(r, freq, L, sr, amps)
        pos *= _F32(np.pi)
        syl *= np.sin(pos, out=pos)
        syl *= np.repeat(np.array(levels, dtype=_F32), lens)
        off = 0
        for st, ln in zip(starts, lens, strict=True):
            a, b = max(0, st), min(T, st + ln)
            if b > a:
                out[a:b] += syl[off + a - st : off + b - st]
            off += ln
    return out


def _dog_bark(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=_F32)
    n_barks = r.integers(1, 4)
    for b in range(n_barks):
        start = int(r.uniform(b / n_barks, (b + 0.8) / n_barks) * T)
        L = min(T - start, int(r.uniform(0.08, 0.25) * sr))
        if L <= 0:
            continue
        f0 = r.uniform(350.0, 800.0) * s
        freq = np.linspace(f0, f0 * (1.0 - r.uniform(0.1, 0.4)), L, dtype=_F32)  # falling pitch
        K = _n_harmonics(f0, sr, 12)
        fk = f0 * np.arange(1, K + 1)
        amps = (0.3 + np.exp(-0.5 * ((fk - r.uniform(900.0, 2000.0) * s) / 500.0) ** 2)) / np.sqrt(fk / f0)
        voiced = _unit(_tone(r, freq, L, sr, amps))
        voiced += _F32(r.uniform(0.2, 1.0)) * _noise(
            r, L, sr, beta=0.5, lo=400.0 * s, hi=r.uniform(2500.0, 5000.0) * s
        )
        env = _ramp(L, sr, r.uniform(0.003, 0.01))
        env *= _decay(L, sr, r.uniform(0.025, 0.08))
        env *= _F32(r.uniform(0.6, 1.0))
        _add(out, start, env * voiced)
    return out


def _drilling(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    f0 = r.uniform(1000.0, 3000.0) * s
    freq = _wobble(r, T, sr, 10.0)  # pitch jitter
    freq *= _F32(r.uniform(0.005, 0.03) * f0)
    freq += _F32(f0)
    K = _n_harmonics(float(freq.max()), sr, 6)
    sig = _unit(_tone(r, freq, T, sr, r.uniforms(0.4, 1.0, K)))
    fm = r.uniform(80.0, 300.0) * s
    Km = _n_harmonics(fm, sr, 8)
    sig += _F32(r.uniform(0.2, 0.7)) * _unit(_tone(r, fm, T, sr, 1.0 / np.arange(1, Km + 1)))  # motor
    sig += _F32(r.uniform(0.1, 0.6)) * _noise(r, T, sr, beta=0.5, lo=300.0)
    if r.random() < 0.35:  # hammer drill: overlaps with jackhammer
        depth, rate = r.uniform(0.3, 0.8), r.uniform(12.0, 30.0)
        sig *= 1.0 - _F32(depth / 2) * (1.0 + _sin(rate, T, sr, r.random()))
    if r.random() < 0.3:  # trigger pressed/released inside the clip
        start = int(r.uniform(0.0, 0.4) * T)
        sig *= _segment_env(T, sr, start, int(r.uniform(0.4, 1.0) * T), 0.05, 0.05)
    return sig


def _engine_idling(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    L = max(2, int(0.08 * sr))
    kernel = _noise(r, L, sr, beta=1.0)
    kernel *= _decay(L, sr, 0.01) * _F32(0.1)
    for _ in range(r.integers(1, 4)):
        f, tau, amp = r.uniform(40.0, 250.0) * s, r.uniform(0.005, 0.03), r.uniform(0.3, 1.0)
        kernel += _F32(amp) * _decay_sine(r, L, sr, f, tau)
    rate = r.uniform(25.0, 60.0) * s
    sig = _unit(_pulses(r, T, sr, rate, r.uniform(0.01, 0.05), kernel))
    sig += _F32(r.uniform(0.2, 0.8)) * _noise(r, T, sr, beta=2.0, hi=300.0)  # rumble
    sig *= 1.0 + _F32(r.uniform(0.0, 0.3)) * _sin(r.uniform(0.5, 3.0), T, sr, r.random())
    return sig


def _gun_shot(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=_F32)
    for _ in range(1 if r.random() < 0.7 else 2):
        start = int(r.uniform(0.0, 0.7) * T)
        L = min(T - start, int(0.6 * sr))
        if L <= 0:
            continue
        # crack (short) and its reverberant tail (long), then a low boom
        sig = _noise(r, L, sr, beta=r.uniform(0.0, 1.0), hi=r.uniform(2000.0, 6000.0) * s)
        env = _decay(L, sr, r.uniform(0.02, 0.08))
        env += _F32(r.uniform(0.03, 0.15)) * _decay(L, sr, r.uniform(0.1, 0.3))
        sig *= env
        f, tau = r.uniform(50.0, 120.0) * s, r.uniform(0.05, 0.15)
        sig += _F32(r.uniform(0.3, 1.0)) * _decay_sine(r, L, sr, f, tau)
        sig *= _ramp(L, sr, 0.0008) * _F32(r.uniform(0.6, 1.0))
        _add(out, start, sig)
    return out


def _jackhammer(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    L = max(2, int(0.04 * sr))
    kernel = _noise(r, L, sr, beta=r.uniform(0.0, 1.0))
    kernel *= _decay(L, sr, r.uniform(0.003, 0.015))
    f, tau, amp = r.uniform(800.0, 2500.0) * s, r.uniform(0.005, 0.02), r.uniform(0.2, 1.0)
    kernel += _F32(amp) * _decay_sine(r, L, sr, f, tau)  # metallic ring
    sig = _unit(_pulses(r, T, sr, r.uniform(10.0, 20.0) * s, r.uniform(0.01, 0.05), kernel))
    if r.random() < 0.25:  # stops or starts inside the clip
        start = int(r.uniform(0.0, 0.5) * T)
        sig *= _segment_env(T, sr, start, int(r.uniform(0.3, 1.0) * T), 0.01, 0.01)
    sig += _F32(r.uniform(0.1, 0.5)) * _noise(r, T, sr, beta=1.5, hi=500.0)  # compressor
    return sig


def _siren(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    lo, hi = r.uniform(550.0, 800.0) * s, r.uniform(1100.0, 1600.0) * s
    mode = r.random()
    if mode < 0.25:  # hi-lo two-tone: overlaps with car horn
        square = _sin(r.uniform(0.8, 2.5), T, sr, r.random()) > 0
        freq = np.where(square, _F32(hi), _F32(lo * r.uniform(1.0, 1.3)))
    else:  # wail (slow) or yelp (fast) sinusoidal FM
        fm = r.uniform(0.2, 1.0) if mode < 0.65 else r.uniform(3.0, 8.0)
        freq = _sin(fm, T, sr, r.random())
        freq *= _F32((hi - lo) / 2)
        freq += _F32((hi + lo) / 2)
    K = _n_harmonics(hi, sr, r.integers(2, 7))
    return _tone(r, freq, T, sr, 1.0 / np.arange(1, K + 1) ** r.uniform(0.8, 2.0))


# Chords in just intonation, as integer frequency ratios (root first): major, minor, major 7th,
# harmonic 7th, minor 7th, sus4. All notes of a chord are harmonics of one base frequency, so a
# chord is one periodic waveform (one wavetable).
_CHORDS = ((4, 5, 6), (10, 12, 15), (8, 10, 12, 15), (4, 5, 6, 7), (10, 12, 15, 18), (6, 8, 9))
_STEPS = (0, 5, 7, -5, 2, -2, 3, -3)
_CHORD_TABLE_N = 4096


def _street_music(r: _Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=_F32)
    n_chords = r.integers(1, 5)
    cuts = sorted(int(r.random() * T) for _ in range(n_chords - 1))
    bounds = [0, *cuts, T]
    root = r.uniform(45.0, 69.0)  # MIDI note of the first chord's root
    K_cap, bright, plucked = r.integers(3, 10), r.uniform(0.7, 2.0), r.random() < 0.5
    for c in range(n_chords):
        a, b = bounds[c], bounds[c + 1]
        ratios = _CHORDS[r.integers(0, len(_CHORDS))]
        base = 440.0 * 2.0 ** ((root - 69.0) / 12.0) * s / ratios[0]  # root note = base * ratios[0]
        if r.random() < 0.5:  # bass note an octave below the root
            ratios = (ratios[0] // 2, *ratios)
        tau = r.uniform(0.1, 0.6)
        coef = np.zeros(max(ratios) * K_cap, dtype=np.complex128)
        for q in ratios:
            K = _n_harmonics(base * q, sr, K_cap)
            k = np.arange(1, K + 1)
            coef[q * k - 1] += r.uniform(0.5, 1.0) / k**bright * np.exp(1j * r.uniforms(0.0, _TWO_PI, K))
        phase0 = r.random()
        if b > a:
            seg = _osc(base, b - a, sr, coef, phase0, _CHORD_TABLE_N)
            seg *= _ramp(b - a, sr, 0.01)
            if plucked:
                seg *= _decay(b - a, sr, tau)
            out[a:b] = seg
        root += _STEPS[r.integers(0, len(_STEPS))]
    out = _unit(out)
    if r.random() < 0.4:  # drums: overlaps with engine/jackhammer
        L = max(2, int(0.15 * sr))
        kick = _noise(r, L, sr, lo=3000.0)
        kick *= _decay(L, sr, 0.01) * _F32(0.3)
        kick += _decay_sine(r, L, sr, r.uniform(50.0, 90.0), 0.05)
        out += _F32(r.uniform(0.3, 1.0)) * _unit(_pulses(r, T, sr, r.uniform(2.0, 8.0), 0.01, kick))
    return out


_SYNTHS: tuple[Synth, ...] = (
    _air_conditioner,
    _car_horn,
    _children_playing,
    _dog_bark,
    _drilling,
    _engine_idling,
    _gun_shot,
    _jackhammer,
    _siren,
    _street_music,
)


def _power(x: np.ndarray) -> float:
    return float(np.dot(x, x)) / x.size if x.size else 0.0


def _spectrum_power(spec: np.ndarray, n: int) -> float:
    """Mean power over ``n`` samples of ``irfft(spec, n)`` (Parseval)."""
    p = 2.0 * float(np.vdot(spec, spec).real) - abs(spec[0]) ** 2
    if n % 2 == 0:
        p -= abs(spec[-1]) ** 2
    return p / n**2


def make_clip(
    seed: int,
    class_idx: int,
    i: int,
    n_samples: int,
    sample_rate: int,
    snr_db: tuple[float, float] = (0.0, 20.0),
    overlap_prob: float = 0.3,
) -> np.ndarray:
    """One clip of class ``class_idx`` (index into ``CLASS_NAMES``), float32 ``(n_samples,)``
    with ``|x| <= 1``: a pure function of its arguments (see the module docstring)."""
    T, sr = n_samples, sample_rate
    r = _Rng([seed, _CLIP_TAG, class_idx, i])
    event = _SYNTHS[class_idx](r, T, sr, r.uniform(0.85, 1.15))

    delayed, d = r.random() < 0.5, int(r.uniform(0.0, 0.25) * T)
    if delayed and d > 0:  # later onset: the event starts d samples into the clip
        event = np.concatenate([np.zeros(d, dtype=_F32), event[: T - d] * _ramp(T - d, sr, 0.005)])

    # Mixing happens in the frequency domain (one FFT each way): the event goes through a
    # random "channel" (spectral tilt, distance low-pass, small-microphone high-pass), the
    # background is random-phase noise with power ~ 1/f**beta scaled to the drawn SNR.
    n = next_fast_len(T, real=True)
    logf = _log_freqs(n, sr)
    tilt, lp, hp = (
        r.uniform(-1.5, 1.5),
        np.exp(r.uniform(np.log(1000.0), np.log(8000.0))),
        r.uniform(40.0, 400.0),
    )
    beta, snr = r.uniform(0.6, 2.0), r.uniform(*snr_db)
    gain_db, dc = r.uniform(-12.0, 0.0), r.uniform(-0.01, 0.01)
    channel = np.exp((logf - _F32(np.log(1000.0))) * _F32(tilt / 2.0))  # +-4.5 dB per octave
    channel /= np.sqrt(1.0 + np.exp((logf - _F32(np.log(lp))) * _F32(4.0)))
    channel /= np.sqrt(1.0 + np.exp((_F32(np.log(hp)) - logf) * _F32(2.0)))
    spec = np.fft.rfft(event.astype(np.float64), n).astype(np.complex64)  # (numpy's float32 rfft is slower)
    spec *= channel
    p_event = _spectrum_power(spec, n) * n / T  # the event's power over the clip's T samples
    noise_gain = np.exp(logf * _F32(-beta / 2.0))
    noise_gain[0] = 0.0
    phase = r.gen.random(logf.shape[0], dtype=_F32)
    phase *= _F32(_TWO_PI)
    p_noise = _spectrum_power(noise_gain, n)
    target = p_event * 10.0 ** (-snr / 10.0) if p_event > 0 else 1.0
    noise_gain *= _F32(np.sqrt(target / p_noise)) if p_noise > 0 else _F32(0.0)
    spec.real += noise_gain * np.cos(phase)
    spec.imag += noise_gain * np.sin(phase)
    mix = np.fft.irfft(spec, n)[:T].astype(_F32)

    if p_event > 0 and r.random() < overlap_prob:  # a quieter event of another class (any of the ten)
        other = r.integers(0, len(_SYNTHS) - 1)
        other += other >= class_idx
        faint = _SYNTHS[other](r, T, sr, r.uniform(0.85, 1.15))
        rel_db = r.uniform(-10.0, -2.0)
        if (p_faint := _power(faint)) > 0:
            mix += _F32(np.sqrt(p_event / p_faint * 10.0 ** (rel_db / 10.0))) * faint

    peak = max(float(mix.max()), -float(mix.min())) if mix.size else 0.0
    mix *= _F32(10.0 ** (gain_db / 20.0) * 0.99 / (peak if peak > 0 else 1.0))
    mix += _F32(dc)
    return np.clip(mix, -1.0, 1.0, out=mix)


class UrbanSynthParams(Params):
    seed: int = Field(0, ge=0, description="Seed of the whole dataset: clips and splits are drawn from it.")
    n_per_class: int = Field(120, ge=3, description="Clips per class (at least 3: one per split).")
    seconds: float = Field(1.0, gt=0, le=60, description="Clip length in seconds.")
    sample_rate: int = Field(16000, ge=8000, le=96000, description="Sample rate in Hz.")
    n_classes: int = Field(
        10, ge=2, le=10, description="Number of classes: the first n of UrbanSound8K's ten, in its order."
    )
    val_fraction: float = Field(
        0.15, gt=0, lt=1, description="Share of each class in the validation split (at least one clip)."
    )
    test_fraction: float = Field(
        0.15, gt=0, lt=1, description="Share of each class in the test split (at least one clip)."
    )
    snr_db: tuple[float, float] = Field(
        (0.0, 20.0),
        description="Range (low, high) of the per-clip event-to-background SNR in dB, drawn uniformly.",
    )
    overlap_prob: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Probability that a clip also holds a quieter event (3-12 dB down) of another class.",
    )

    @model_validator(mode="after")
    def _check(self) -> UrbanSynthParams:
        if self.snr_db[0] > self.snr_db[1]:
            raise ValueError(f"snr_db must be (low, high) with low <= high, got {self.snr_db}")
        if self.val_fraction + self.test_fraction >= 1:
            raise ValueError("val_fraction + test_fraction must be < 1 (the train split needs clips)")
        if round(self.seconds * self.sample_rate) < 1:
            raise ValueError("seconds * sample_rate must be at least one sample")
        return self


def split_counts(n: int, val_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """(train, val, test) sizes for one class of ``n``: each at least one, val/test rounded."""
    n_val = max(1, round(val_fraction * n))
    n_test = max(1, round(test_fraction * n))
    while n_val + n_test > n - 1:  # leave at least one training clip
        if n_val >= n_test:
            n_val -= 1
        else:
            n_test -= 1
    return n - n_val - n_test, n_val, n_test


class UrbanSynth(BaseDataset):
    """Synthetic UrbanSound8K-like clips (see the module docstring for the generator)."""

    name = "urban-synth"
    modality = "audio"
    Params = UrbanSynthParams
    test_params = {"n_per_class": 6, "seconds": 0.25, "sample_rate": 8000, "n_classes": 4}

    def estimated_bytes(self) -> int:
        """The float32 waveforms: ``n_classes * n_per_class * seconds * sample_rate * 4`` bytes."""
        p = self.params
        return p.n_classes * p.n_per_class * round(p.seconds * p.sample_rate) * 4

    def load(self) -> RawData:
        p = self.params
        T = round(p.seconds * p.sample_rate)
        n, C = p.n_per_class, p.n_classes
        x = np.empty((C * n, T), dtype=np.float32)
        split = np.empty(C * n, dtype="<U5")
        counts = split_counts(n, p.val_fraction, p.test_fraction)
        names = np.repeat(np.array(SPLITS), counts)
        ids = []
        for c in range(C):
            for i in range(n):
                x[c * n + i] = make_clip(p.seed, c, i, T, p.sample_rate, p.snr_db, p.overlap_prob)
                ids.append(f"{self.name}/{CLASS_NAMES[c]}/{i:04d}")
            order = np.random.default_rng([p.seed, _SPLIT_TAG, c]).permutation(n)
            split[c * n + order] = names
        return RawData(
            x=x,
            labels=np.repeat(np.arange(C, dtype=np.int64), n),
            split=split,
            class_names=CLASS_NAMES[:C],
            modality="audio",
            sample_rate=p.sample_rate,
            item_ids=tuple(ids),
        )
