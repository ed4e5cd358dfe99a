"""``urban-synth``: a deterministic synthetic environmental-sound dataset shaped like UrbanSound8K.

Ten classes, in UrbanSound8K's order (``air_conditioner`` ... ``street_music``), each drawn
by a small numpy synthesiser. Nothing is read from disk or downloaded.

Every clip is a function of ``(seed, class index, clip index)`` and the signal-shaping
params only: its randomness comes from ``np.random.SeedSequence([seed, 0xC1, class, i])``,
spawned into independent streams for the event, the background noise, the overlapping
event and the final gain. So a clip does not change when ``n_per_class``, ``n_classes``,
the split fractions or the splitting change; the background and gain streams also do not
shift the event's draws when ``snr_db`` or ``overlap_prob`` change.

Per clip: a random frequency scale (0.85-1.15, applied to every frequency of the event),
random event timing and, half of the time, a delayed onset; background noise (pink to brown,
random spectral slope) at an SNR drawn uniformly from ``snr_db`` (SNR = mean power of the
event over the whole clip / mean power of the background); with probability
``overlap_prob`` a faint event of another class (any of the ten, so clips do not depend on
``n_classes``) 8-20 dB below the event, counted as background. The mix is peak-normalised,
then scaled by a random gain of -12..0 dB and given a DC offset of at most 0.01, so
``|x| <= 1`` always.

The classes overlap on purpose (a whine in some air conditioners, hammer-drill modulation
in some drills, a two-tone "hi-lo" siren near a car horn, drums under some street music,
low-SNR clips), so a classifier does well but not perfectly.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from pydantic import Field, model_validator

from bench.data.base import SPLITS, BaseDataset, RawData
from bench.plugin import Params

CLASS_NAMES: tuple[str, ...] = (
    "air_conditioner",
    "car_horn",
    "children_playing",
    "dog_bark",
    "drilling",
    "engine_idling",
    "gun_shot",
    "jackhammer",
    "siren",
    "street_music",
)

_F32 = np.float32
_TWO_PI = 2.0 * np.pi
_TABLE_N = 2048
_CLIP_TAG = 0xC1
_SPLIT_TAG = 0x5B

Synth = Callable[[np.random.Generator, int, int, float], np.ndarray]

# --------------------------------------------------------------------------------------------
# Building blocks: float32 arrays of ``T`` samples at ``sr`` Hz. Phases are accumulated in
# float64 and wrapped before any float32 maths, so long clips keep exact pitch.
# --------------------------------------------------------------------------------------------


def _n_harmonics(f_max: float, sr: int, cap: int) -> int:
    """How many harmonics of a tone whose fundamental reaches ``f_max`` stay below 0.45*sr."""
    return int(max(1, min(cap, np.floor(0.45 * sr / max(f_max, 1.0)))))


@lru_cache(maxsize=8)
def _arange(T: int) -> np.ndarray:
    out = np.arange(T, dtype=np.float64)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=8)
def _log_freqs(T: int, sr: int) -> np.ndarray:
    """``log(max(f, 10 Hz))`` of the ``rfft`` bins of ``T`` samples, float32 (read-only)."""
    out = np.log(np.maximum(np.fft.rfftfreq(T, 1.0 / sr), 10.0)).astype(_F32)
    out.flags.writeable = False
    return out


def _cycles(
    freq: float | np.ndarray, T: int, sr: int, phase0: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Accumulated phase of a tone of (instantaneous) ``freq`` Hz, on a grid of ``n`` (a power
    of two) steps per cycle: ``(index mod n as int64, fractional step as float32)``."""
    if np.ndim(freq) == 0:
        c = _arange(T) * (n * min(float(freq), 0.45 * sr) / sr)
        c += n * phase0
    else:
        c = np.cumsum(np.minimum(freq, _F32(0.45 * sr)), dtype=np.float64)
        c *= n / sr
        c += n * phase0
    i = c.astype(np.int64)
    frac = (c - i).astype(_F32)
    i &= n - 1
    return i, frac


def _sin(freq: float, T: int, sr: int, phase0: float) -> np.ndarray:
    """``sin(2*pi*(freq*t + phase0))`` as float32."""
    i, frac = _cycles(freq, T, sr, phase0, 1 << 20)
    frac += i
    frac *= _F32(_TWO_PI / (1 << 20))
    return np.sin(frac, out=frac)


def _osc(
    freq: float | np.ndarray, T: int, sr: int, coef: np.ndarray, phase0: float, n: int = _TABLE_N
) -> np.ndarray:
    """Band-limited periodic oscillator: a wavetable of ``n`` points (built by an inverse FFT)
    read with linear interpolation. ``freq`` is the fundamental in Hz, a scalar or a ``(T,)``
    array; ``coef[h-1] = a * exp(1j * phi)`` adds ``a * sin(h * theta + phi)`` (harmonic ``h``)."""
    spec = np.zeros(n // 2 + 1, dtype=np.complex128)
    spec[1 : len(coef) + 1] = coef * (-0.5j * n)
    table = np.fft.irfft(spec, n).astype(_F32)
    slope = np.roll(table, -1) - table
    i, frac = _cycles(freq, T, sr, phase0, n)
    frac *= slope[i]
    frac += table[i]
    return frac


def _tone(
    rng: np.random.Generator, freq: float | np.ndarray, T: int, sr: int, amps: np.ndarray
) -> np.ndarray:
    """Harmonic tone (``amps[k-1]`` for harmonic ``k``) with random harmonic phases and start phase."""
    return _osc(freq, T, sr, amps * np.exp(1j * rng.uniform(0, _TWO_PI, len(amps))), rng.random())


def _unit(x: np.ndarray) -> np.ndarray:
    """Scale to unit RMS (left as is when silent)."""
    rms = float(np.sqrt(np.dot(x, x) / x.size)) if x.size else 0.0
    return x * _F32(1.0 / rms) if rms > 1e-12 else x


def _noise(
    rng: np.random.Generator,
    T: int,
    sr: int,
    beta: float = 0.0,
    lo: float | None = None,
    hi: float | None = None,
) -> np.ndarray:
    """Unit-RMS random-phase noise with power ~ 1/f**beta, optionally band-limited (4th-power
    skirts at ``lo``/``hi`` Hz)."""
    if T < 4:
        return rng.standard_normal(T).astype(_F32)
    logf = _log_freqs(T, sr)
    gain = np.exp(logf * _F32(-beta / 2.0))
    if hi is not None:  # 1 / sqrt(1 + (f/hi)^4)
        gain /= np.sqrt(1.0 + np.exp((logf - _F32(np.log(hi))) * _F32(4.0)))
    if lo is not None:
        gain /= np.sqrt(1.0 + np.exp((_F32(np.log(lo)) - logf) * _F32(4.0)))
    phase = rng.random(logf.shape[0], dtype=_F32) * _F32(_TWO_PI)
    spec = np.empty(logf.shape[0], dtype=np.complex64)
    spec.real = gain * np.cos(phase)
    spec.imag = gain * np.sin(phase)
    spec[0] = 0.0
    return _unit(np.fft.irfft(spec, n=T).astype(_F32))


def _wobble(rng: np.random.Generator, T: int, sr: int, max_hz: float) -> np.ndarray:
    """A slowly varying random curve with unit variance: three random sinusoids below ``max_hz``."""
    out = np.zeros(T, dtype=_F32)
    for _ in range(3):
        out += _F32(np.sqrt(2.0 / 3.0)) * _sin(rng.uniform(0.05, max_hz), T, sr, rng.random())
    return out


def _segment_env(T: int, sr: int, start: int, length: int, attack: float, release: float) -> np.ndarray:
    """Trapezoid envelope: 0 outside ``[start, start+length)``, linear attack/release in seconds."""
    n = np.arange(T, dtype=_F32) - _F32(start)
    a = _F32(1.0 / max(1.0, attack * sr))
    r = _F32(1.0 / max(1.0, release * sr))
    return np.clip(np.minimum(n * a, (_F32(length) - n) * r), 0.0, 1.0)


def _add(out: np.ndarray, start: int, seg: np.ndarray) -> None:
    """``out[start:start+len(seg)] += seg``, clipped to ``out``."""
    if 0 <= start < out.shape[0]:
        end = min(out.shape[0], start + seg.shape[0])
        out[start:end] += seg[: end - start]


def _pulses(
    rng: np.random.Generator, T: int, sr: int, rate: float, jitter: float, kernel: np.ndarray
) -> np.ndarray:
    """``kernel`` repeated at ``rate`` Hz (random phase, relative timing and amplitude jitter)."""
    period = sr / rate
    n_hits = int(T / period) + 2
    gaps = np.maximum(period * (1.0 + jitter * rng.standard_normal(n_hits)), 0.3 * period)
    pos = rng.uniform(0, period) + np.concatenate([[0.0], np.cumsum(gaps)[:-1]])
    amps = rng.uniform(0.6, 1.0, n_hits)
    out = np.zeros(T, dtype=_F32)
    for p, a in zip(pos.astype(np.int64), amps, strict=True):
        _add(out, int(p), _F32(a) * kernel)
    return out


def _decay(L: int, sr: int, tau: float) -> np.ndarray:
    return np.exp(np.arange(L, dtype=_F32) * _F32(-1.0 / (tau * sr)))


def _decay_sine(rng: np.random.Generator, L: int, sr: int, f: float, tau: float) -> np.ndarray:
    return _sin(f, L, sr, rng.random()) * _decay(L, sr, tau)


def _ramp(L: int, sr: int, seconds: float) -> np.ndarray:
    """Linear fade-in over ``seconds``, then 1."""
    return np.minimum(np.arange(L, dtype=_F32) * _F32(1.0 / max(1.0, seconds * sr)), _F32(1.0))


# --------------------------------------------------------------------------------------------
# One synthesiser per class: (rng, T, sr, s) -> (T,) float32 event; s is the clip's frequency
# scale, applied to every frequency.
# --------------------------------------------------------------------------------------------


def _air_conditioner(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    f0 = rng.uniform(45.0, 130.0) * s
    K = _n_harmonics(f0, sr, 12)
    amps = rng.uniform(0.3, 1.0, K) / np.arange(1, K + 1) ** rng.uniform(0.5, 1.5)
    hum = _tone(rng, f0, T, sr, amps)
    am = 1.0 + rng.uniform(0.05, 0.4) * _sin(rng.uniform(0.3, 4.0), T, sr, rng.random())
    fan = _noise(rng, T, sr, beta=rng.uniform(0.0, 1.5), lo=60.0 * s, hi=rng.uniform(600.0, 4000.0) * s)
    sig = _unit(hum * am) + _F32(rng.uniform(0.4, 1.6)) * fan
    if rng.random() < 0.3:  # compressor whine: overlaps with drilling
        fw = rng.uniform(900.0, 3000.0) * s
        sig += _F32(rng.uniform(0.1, 0.5)) * _unit(_tone(rng, fw, T, sr, np.ones(1)))
    return sig


def _car_horn(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    f1 = rng.uniform(380.0, 520.0) * s
    ratio = float(rng.choice([1.0, 1.19, 1.26, 1.33], p=[0.25, 0.25, 0.3, 0.2]))
    K = _n_harmonics(f1 * ratio, sr, 14)
    amps = 1.0 / np.arange(1, K + 1) ** rng.uniform(0.5, 1.3)
    tone = _tone(rng, f1, T, sr, amps)
    if ratio != 1.0:
        tone += _F32(rng.uniform(0.6, 1.0)) * _tone(rng, f1 * ratio, T, sr, amps)
    n_honks = 1 if rng.random() < 0.7 else 2
    env = np.zeros(T, dtype=_F32)
    for _ in range(n_honks):
        start = int(rng.uniform(0.0, 0.5) * T)
        length = int(rng.uniform(0.15, 0.9) * T / n_honks)
        env = np.maximum(
            env, _segment_env(T, sr, start, length, rng.uniform(0.01, 0.03), rng.uniform(0.02, 0.06))
        )
    return tone * env


def _children_playing(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    out = _F32(0.15) * _noise(rng, T, sr, beta=1.0, lo=200.0, hi=3000.0)  # distant crowd
    for _ in range(int(rng.integers(2, 6))):
        sylls = [
            (int(rng.uniform(-0.1, 0.9) * T), int(rng.uniform(0.08, 0.35) * sr))
            for _ in range(int(rng.integers(1, 5)))
        ]
        a = max(0, min(st for st, _ in sylls))
        b = min(T, max(st + ln for st, ln in sylls))
        L = b - a
        f0 = rng.uniform(250.0, 450.0) * s
        vib = _F32(rng.uniform(0.02, 0.12)) * _sin(rng.uniform(2.0, 7.0), max(L, 0), sr, rng.random())
        glide = _F32(rng.uniform(-0.25, 0.25) / max(T, 1))
        F1, F2 = rng.uniform(400.0, 1000.0) * s, rng.uniform(1000.0, 2600.0) * s
        bw1, bw2 = rng.uniform(120.0, 300.0), rng.uniform(150.0, 400.0)
        level = _F32(rng.uniform(0.4, 1.0))
        if L <= 0:
            continue
        freq = _F32(f0) * (1.0 + vib) * (1.0 + glide * np.arange(a, b, dtype=_F32))
        K = _n_harmonics(float(freq.max()), sr, 20)
        fk = f0 * np.arange(1, K + 1)
        amps = np.exp(-0.5 * ((fk - F1) / bw1) ** 2) + 0.7 * np.exp(-0.5 * ((fk - F2) / bw2) ** 2) + 0.05
        env = np.zeros(L, dtype=_F32)
        for st, ln in sylls:
            env = np.maximum(env, _segment_env(L, sr, st - a, ln, 0.02, 0.04))
        out[a:b] += level * _unit(_tone(rng, freq, L, sr, amps)) * env
    return out


def _dog_bark(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=_F32)
    n_barks = int(rng.integers(1, 4))
    for b in range(n_barks):
        start = int(rng.uniform(b / n_barks, (b + 0.8) / n_barks) * T)
        L = min(T - start, int(rng.uniform(0.08, 0.25) * sr))
        if L <= 0:
            continue
        f0 = rng.uniform(350.0, 800.0) * s
        freq = _F32(f0) * (1.0 - _F32(rng.uniform(0.1, 0.4)) * np.linspace(0.0, 1.0, L, dtype=_F32))
        K = _n_harmonics(f0, sr, 12)
        fk = f0 * np.arange(1, K + 1)
        amps = (0.3 + np.exp(-0.5 * ((fk - rng.uniform(900.0, 2000.0) * s) / 500.0) ** 2)) / np.sqrt(
            np.arange(1, K + 1)
        )
        voiced = _unit(_tone(rng, freq, L, sr, amps))
        rough = _noise(rng, L, sr, beta=0.5, lo=400.0 * s, hi=rng.uniform(2500.0, 5000.0) * s)
        env = _ramp(L, sr, rng.uniform(0.003, 0.01)) * _decay(L, sr, rng.uniform(0.025, 0.08))
        _add(out, start, _F32(rng.uniform(0.6, 1.0)) * env * (voiced + _F32(rng.uniform(0.2, 1.0)) * rough))
    return out


def _drilling(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    f0 = rng.uniform(1000.0, 3000.0) * s
    jitter = _F32(rng.uniform(0.005, 0.03)) * _wobble(rng, T, sr, 10.0)
    freq = _F32(f0) * (1.0 + jitter)
    K = _n_harmonics(float(freq.max()), sr, 6)
    whine = _unit(_tone(rng, freq, T, sr, rng.uniform(0.4, 1.0, K)))
    fm = rng.uniform(80.0, 300.0) * s
    Km = _n_harmonics(fm, sr, 8)
    motor = _unit(_tone(rng, fm, T, sr, 1.0 / np.arange(1, Km + 1)))
    sig = whine + _F32(rng.uniform(0.2, 0.7)) * motor
    sig += _F32(rng.uniform(0.1, 0.6)) * _noise(rng, T, sr, beta=0.5, lo=300.0)
    if rng.random() < 0.35:  # hammer drill: overlaps with jackhammer
        depth, rate = rng.uniform(0.3, 0.8), rng.uniform(12.0, 30.0)
        sig *= 1.0 - _F32(depth) * (0.5 + 0.5 * _sin(rate, T, sr, rng.random()))
    if rng.random() < 0.3:  # trigger pressed/released inside the clip
        start = int(rng.uniform(0.0, 0.4) * T)
        sig *= _segment_env(T, sr, start, int(rng.uniform(0.4, 1.0) * T), 0.05, 0.05)
    return sig


def _engine_idling(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    L = max(2, int(0.08 * sr))
    kernel = np.zeros(L, dtype=_F32)
    for _ in range(int(rng.integers(1, 4))):
        f, tau = rng.uniform(40.0, 250.0) * s, rng.uniform(0.005, 0.03)
        kernel += _F32(rng.uniform(0.3, 1.0)) * _decay_sine(rng, L, sr, f, tau)
    kernel += _F32(0.1) * _noise(rng, L, sr, beta=1.0) * _decay(L, sr, 0.01)
    rate = rng.uniform(25.0, 60.0) * s
    thumps = _unit(_pulses(rng, T, sr, rate, rng.uniform(0.01, 0.05), kernel))
    rumble = _noise(rng, T, sr, beta=2.0, hi=300.0)
    am = 1.0 + _F32(rng.uniform(0.0, 0.3)) * _sin(rng.uniform(0.5, 3.0), T, sr, rng.random())
    return (thumps + _F32(rng.uniform(0.2, 0.8)) * rumble) * am


def _gun_shot(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=_F32)
    for _ in range(1 if rng.random() < 0.7 else 2):
        start = int(rng.uniform(0.0, 0.7) * T)
        L = min(T - start, int(0.6 * sr))
        if L <= 0:
            continue
        crack = _noise(rng, L, sr, beta=rng.uniform(0.0, 1.0), hi=rng.uniform(2000.0, 6000.0) * s)
        crack *= _decay(L, sr, rng.uniform(0.02, 0.08))
        f, tau = rng.uniform(50.0, 120.0) * s, rng.uniform(0.05, 0.15)
        boom = _F32(rng.uniform(0.3, 1.0)) * _decay_sine(rng, L, sr, f, tau)
        tail = (
            _F32(rng.uniform(0.05, 0.2)) * _noise(rng, L, sr, beta=1.0) * _decay(L, sr, rng.uniform(0.1, 0.3))
        )
        _add(out, start, _F32(rng.uniform(0.6, 1.0)) * _ramp(L, sr, 0.0008) * (crack + boom + tail))
    return out


def _jackhammer(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    L = max(2, int(0.04 * sr))
    kernel = _noise(rng, L, sr, beta=rng.uniform(0.0, 1.0)) * _decay(L, sr, rng.uniform(0.003, 0.015))
    f, tau = rng.uniform(800.0, 2500.0) * s, rng.uniform(0.005, 0.02)
    kernel += _F32(rng.uniform(0.2, 1.0)) * _decay_sine(rng, L, sr, f, tau)
    hits = _unit(_pulses(rng, T, sr, rng.uniform(10.0, 20.0) * s, rng.uniform(0.01, 0.05), kernel))
    if rng.random() < 0.25:  # stops or starts inside the clip
        start = int(rng.uniform(0.0, 0.5) * T)
        hits *= _segment_env(T, sr, start, int(rng.uniform(0.3, 1.0) * T), 0.01, 0.01)
    return hits + _F32(rng.uniform(0.1, 0.5)) * _noise(rng, T, sr, beta=1.5, hi=500.0)  # compressor


def _siren(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    lo, hi = rng.uniform(550.0, 800.0) * s, rng.uniform(1100.0, 1600.0) * s
    mode = rng.random()
    if mode < 0.25:  # hi-lo two-tone: overlaps with car horn
        square = _sin(rng.uniform(0.8, 2.5), T, sr, rng.random()) > 0
        freq = np.where(square, _F32(hi), _F32(lo * rng.uniform(1.0, 1.3)))
    else:  # wail (slow) or yelp (fast) sinusoidal FM
        fm = rng.uniform(0.2, 1.0) if mode < 0.65 else rng.uniform(3.0, 8.0)
        freq = _F32(lo) + _F32(hi - lo) * (0.5 + 0.5 * _sin(fm, T, sr, rng.random()))
    K = _n_harmonics(hi, sr, int(rng.integers(2, 7)))
    return _tone(rng, freq, T, sr, 1.0 / np.arange(1, K + 1) ** rng.uniform(0.8, 2.0))


# Chords in just intonation, as integer frequency ratios (root first): major, minor, major 7th,
# harmonic 7th, minor 7th, sus4. All notes of a chord are harmonics of one base frequency, so a
# chord is one periodic waveform (one wavetable).
_CHORDS = ((4, 5, 6), (10, 12, 15), (8, 10, 12, 15), (4, 5, 6, 7), (10, 12, 15, 18), (6, 8, 9))
_STEPS = (0, 5, 7, -5, 2, -2, 3, -3)
_CHORD_TABLE_N = 4096


def _street_music(rng: np.random.Generator, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=_F32)
    n_chords = int(rng.integers(1, 5))
    bounds = np.concatenate([[0.0], np.sort(rng.uniform(0.0, 1.0, n_chords - 1)) * T, [T]]).astype(np.int64)
    root = rng.uniform(45.0, 69.0)  # MIDI note of the first chord's root
    K_cap, bright, plucked = int(rng.integers(3, 10)), rng.uniform(0.7, 2.0), rng.random() < 0.5
    for c in range(n_chords):
        a, b = int(bounds[c]), int(bounds[c + 1])
        ratios = _CHORDS[int(rng.integers(len(_CHORDS)))]
        base = 440.0 * 2.0 ** ((root - 69.0) / 12.0) * s / ratios[0]  # chord root = base * ratios[0]
        if rng.random() < 0.5:  # bass note an octave below the root
            ratios = (ratios[0] // 2, *ratios)
        tau = rng.uniform(0.1, 0.6)
        coef = np.zeros(max(ratios) * K_cap, dtype=np.complex128)
        for r in ratios:
            K = _n_harmonics(base * r, sr, K_cap)
            h = r * np.arange(1, K + 1)
            amp = rng.uniform(0.5, 1.0) / np.arange(1, K + 1) ** bright
            coef[h - 1] += amp * np.exp(1j * rng.uniform(0, _TWO_PI, K))
        if b > a:
            seg = _osc(base, b - a, sr, coef, rng.random(), _CHORD_TABLE_N)
            env = _ramp(b - a, sr, 0.01)
            out[a:b] += seg * (env * _decay(b - a, sr, tau) if plucked else env)
        root += _STEPS[int(rng.integers(len(_STEPS)))]
    out = _unit(out)
    if rng.random() < 0.4:  # drums: overlaps with engine/jackhammer
        L = max(2, int(0.15 * sr))
        kick = _decay_sine(rng, L, sr, rng.uniform(50.0, 90.0), 0.05)
        kick += _F32(0.3) * _noise(rng, L, sr, lo=3000.0) * _decay(L, sr, 0.01)
        out += _F32(rng.uniform(0.3, 1.0)) * _unit(_pulses(rng, T, sr, rng.uniform(2.0, 8.0), 0.01, kick))
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


def make_clip(
    seed: int,
    class_idx: int,
    i: int,
    n_samples: int,
    sample_rate: int,
    snr_db: tuple[float, float] = (0.0, 20.0),
    overlap_prob: float = 0.3,
) -> np.ndarray:
    """One clip, float32 ``(n_samples,)`` with ``|x| <= 1``: a pure function of its arguments.

    One random stream per clip, drawn in a fixed order: the event first (so ``snr_db`` and
    ``overlap_prob`` never change it), then onset delay, background, SNR, gain and DC offset,
    and the overlapping event last (so ``overlap_prob`` does not change the rest either).
    """
    T, sr = n_samples, sample_rate
    rng = np.random.default_rng([seed, _CLIP_TAG, class_idx, i])
    r_event = r_bg = rng  # event draws first, then the rest (see the docstring)
    event = _SYNTHS[class_idx](r_event, T, sr, r_event.uniform(0.85, 1.15))

    delayed, d = r_bg.random() < 0.5, int(r_bg.uniform(0.0, 0.25) * T)
    if delayed and d > 0:  # later onset: the event starts d samples into the clip
        event = np.concatenate([np.zeros(d, dtype=_F32), event[: T - d] * _ramp(T - d, sr, 0.005)])

    background = _noise(r_bg, T, sr, beta=r_bg.uniform(1.0, 2.0), lo=20.0)
    snr = r_bg.uniform(*snr_db)
    gain = 10.0 ** (r_bg.uniform(-12.0, 0.0) / 20.0) * 0.99
    dc = r_bg.uniform(-0.01, 0.01)
    p_event = _power(event)
    if p_event > 0:
        background *= _F32(np.sqrt(p_event * 10.0 ** (-snr / 10.0)))
        if r_bg.random() < overlap_prob:  # a faint event of another class (any of the ten)
            other = int(r_bg.integers(len(_SYNTHS) - 1))
            other += other >= class_idx
            faint = _SYNTHS[other](r_bg, T, sr, r_bg.uniform(0.85, 1.15))
            rel = 10.0 ** (r_bg.uniform(-20.0, -8.0) / 10.0)
            if (p_faint := _power(faint)) > 0:
                background += _F32(np.sqrt(p_event / p_faint * rel)) * faint
    mix = event + background

    peak = float(np.max(np.abs(mix))) if mix.size else 0.0
    out = mix * _F32(gain / peak if peak > 0 else gain) + _F32(dc)
    return np.clip(out, -1.0, 1.0).astype(_F32, copy=False)


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
        description="Probability that a clip's background holds a faint event of another class.",
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
