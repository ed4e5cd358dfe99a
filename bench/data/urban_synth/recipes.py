"""One synthesiser per UrbanSound8K class (``SYNTHS``, in its class order): ``(r, T, sr, s) -> (T,)``
float32 event, ``s`` the clip's frequency scale."""

from __future__ import annotations

import numpy as np

from bench.data.urban_synth.dsp import (
    F32,
    TWO_PI,
    Rng,
    Synth,
    add,
    colored_noise,
    decay,
    decay_sine,
    harmonic_tone,
    n_harmonics,
    osc,
    pulses,
    ramp,
    segment_env,
    sine,
    unit_rms,
    wobble,
)

# --------------------------------------------------------------------------------------------
# One synthesiser per class: (r, T, sr, s) -> (T,) float32 event; s is the clip's frequency
# scale, applied to every frequency.
# --------------------------------------------------------------------------------------------


def _air_conditioner(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    f0 = r.uniform(45.0, 130.0) * s
    K = n_harmonics(f0, sr, 12)
    amps = r.uniforms(0.3, 1.0, K) / np.arange(1, K + 1) ** r.uniform(0.5, 1.5)
    hum = harmonic_tone(r, f0, T, sr, amps)
    hum *= 1.0 + F32(r.uniform(0.05, 0.4)) * sine(r.uniform(0.3, 4.0), T, sr, r.random())  # slow AM
    fan = colored_noise(r, T, sr, beta=r.uniform(0.0, 1.5), lo=60.0 * s, hi=r.uniform(600.0, 4000.0) * s)
    sig = unit_rms(hum)
    sig += F32(r.uniform(0.4, 1.6)) * fan
    if r.random() < 0.3:  # compressor whine: overlaps with drilling
        fw = r.uniform(900.0, 3000.0) * s
        sig += F32(r.uniform(0.1, 0.5) * np.sqrt(2.0)) * sine(fw, T, sr, r.random())
    return sig


def _car_horn(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    f1 = r.uniform(380.0, 520.0) * s
    u = r.random()  # unison, minor third, major third, fourth
    ratio = 1.0 if u < 0.25 else 1.19 if u < 0.5 else 1.26 if u < 0.8 else 1.33
    K = n_harmonics(f1 * ratio, sr, 14)
    amps = 1.0 / np.arange(1, K + 1) ** r.uniform(0.5, 1.3)
    tone = harmonic_tone(r, f1, T, sr, amps)
    if ratio != 1.0:
        tone += F32(r.uniform(0.6, 1.0)) * harmonic_tone(r, f1 * ratio, T, sr, amps)
    n_honks = 1 if r.random() < 0.7 else 2
    env = np.zeros(T, dtype=F32)
    for _ in range(n_honks):
        start = int(r.uniform(0.0, 0.5) * T)
        length = int(r.uniform(0.15, 0.9) * T / n_honks)
        attack, release = r.uniform(0.01, 0.03), r.uniform(0.02, 0.06)
        np.maximum(env, segment_env(T, sr, start, length, attack, release), out=env)
    return tone * env


def _children_playing(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = colored_noise(r, T, sr, beta=1.0, lo=200.0, hi=3000.0)  # distant crowd
    out *= F32(0.15)
    for _ in range(r.integers(2, 5)):  # voices: a pitch and two formants each
        f0 = r.uniform(250.0, 450.0) * s
        K = n_harmonics(1.5 * f0, sr, 16)  # syllables glide at most to 1.46 * f0
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
        pos = np.arange(L, dtype=F32) - np.repeat(np.cumsum([0, *lens[:-1]]), lens).astype(F32)
        inv_len = np.repeat(np.array(lens, dtype=F32) ** -1, lens)
        pos *= inv_len  # position inside its syllable, 0..1
        freq = sine(rate, L, sr, phase)
        freq *= F32(depth)
        freq += 1.0
        freq *= F32(f0) * (1.0 + np.repeat(np.array(glides, dtype=F32), lens) * pos)
        syl = harmonic_tone(r, freq, L, sr, amps)
        pos *= F32(np.pi)
        syl *= np.sin(pos, out=pos)
        syl *= np.repeat(np.array(levels, dtype=F32), lens)
        off = 0
        for st, ln in zip(starts, lens, strict=True):
            a, b = max(0, st), min(T, st + ln)
            if b > a:
                out[a:b] += syl[off + a - st : off + b - st]
            off += ln
    return out


def _dog_bark(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=F32)
    n_barks = r.integers(1, 4)
    for b in range(n_barks):
        start = int(r.uniform(b / n_barks, (b + 0.8) / n_barks) * T)
        L = min(T - start, int(r.uniform(0.08, 0.25) * sr))
        if L <= 0:
            continue
        f0 = r.uniform(350.0, 800.0) * s
        freq = np.linspace(f0, f0 * (1.0 - r.uniform(0.1, 0.4)), L, dtype=F32)  # falling pitch
        K = n_harmonics(f0, sr, 12)
        fk = f0 * np.arange(1, K + 1)
        amps = (0.3 + np.exp(-0.5 * ((fk - r.uniform(900.0, 2000.0) * s) / 500.0) ** 2)) / np.sqrt(fk / f0)
        voiced = unit_rms(harmonic_tone(r, freq, L, sr, amps))
        voiced += F32(r.uniform(0.2, 1.0)) * colored_noise(
            r, L, sr, beta=0.5, lo=400.0 * s, hi=r.uniform(2500.0, 5000.0) * s
        )
        env = ramp(L, sr, r.uniform(0.003, 0.01))
        env *= decay(L, sr, r.uniform(0.025, 0.08))
        env *= F32(r.uniform(0.6, 1.0))
        add(out, start, env * voiced)
    return out


def _drilling(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    f0 = r.uniform(1000.0, 3000.0) * s
    freq = wobble(r, T, sr, 10.0)  # pitch jitter
    freq *= F32(r.uniform(0.005, 0.03) * f0)
    freq += F32(f0)
    K = n_harmonics(float(freq.max()), sr, 6)
    sig = unit_rms(harmonic_tone(r, freq, T, sr, r.uniforms(0.4, 1.0, K)))
    fm = r.uniform(80.0, 300.0) * s
    Km = n_harmonics(fm, sr, 8)
    sig += F32(r.uniform(0.2, 0.7)) * unit_rms(
        harmonic_tone(r, fm, T, sr, 1.0 / np.arange(1, Km + 1))
    )  # motor
    sig += F32(r.uniform(0.1, 0.6)) * colored_noise(r, T, sr, beta=0.5, lo=300.0)
    if r.random() < 0.35:  # hammer drill: overlaps with jackhammer
        depth, rate = r.uniform(0.3, 0.8), r.uniform(12.0, 30.0)
        sig *= 1.0 - F32(depth / 2) * (1.0 + sine(rate, T, sr, r.random()))
    if r.random() < 0.3:  # trigger pressed/released inside the clip
        start = int(r.uniform(0.0, 0.4) * T)
        sig *= segment_env(T, sr, start, int(r.uniform(0.4, 1.0) * T), 0.05, 0.05)
    return sig


def _engine_idling(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    L = max(2, int(0.08 * sr))
    kernel = colored_noise(r, L, sr, beta=1.0)
    kernel *= decay(L, sr, 0.01) * F32(0.1)
    for _ in range(r.integers(1, 4)):
        f, tau, amp = r.uniform(40.0, 250.0) * s, r.uniform(0.005, 0.03), r.uniform(0.3, 1.0)
        kernel += F32(amp) * decay_sine(r, L, sr, f, tau)
    rate = r.uniform(25.0, 60.0) * s
    sig = unit_rms(pulses(r, T, sr, rate, r.uniform(0.01, 0.05), kernel))
    sig += F32(r.uniform(0.2, 0.8)) * colored_noise(r, T, sr, beta=2.0, hi=300.0)  # rumble
    sig *= 1.0 + F32(r.uniform(0.0, 0.3)) * sine(r.uniform(0.5, 3.0), T, sr, r.random())
    return sig


def _gun_shot(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=F32)
    for _ in range(1 if r.random() < 0.7 else 2):
        start = int(r.uniform(0.0, 0.7) * T)
        L = min(T - start, int(0.6 * sr))
        if L <= 0:
            continue
        # crack (short) and its reverberant tail (long), then a low boom
        sig = colored_noise(r, L, sr, beta=r.uniform(0.0, 1.0), hi=r.uniform(2000.0, 6000.0) * s)
        env = decay(L, sr, r.uniform(0.02, 0.08))
        env += F32(r.uniform(0.03, 0.15)) * decay(L, sr, r.uniform(0.1, 0.3))
        sig *= env
        f, tau = r.uniform(50.0, 120.0) * s, r.uniform(0.05, 0.15)
        sig += F32(r.uniform(0.3, 1.0)) * decay_sine(r, L, sr, f, tau)
        sig *= ramp(L, sr, 0.0008) * F32(r.uniform(0.6, 1.0))
        add(out, start, sig)
    return out


def _jackhammer(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    L = max(2, int(0.04 * sr))
    kernel = colored_noise(r, L, sr, beta=r.uniform(0.0, 1.0))
    kernel *= decay(L, sr, r.uniform(0.003, 0.015))
    f, tau, amp = r.uniform(800.0, 2500.0) * s, r.uniform(0.005, 0.02), r.uniform(0.2, 1.0)
    kernel += F32(amp) * decay_sine(r, L, sr, f, tau)  # metallic ring
    sig = unit_rms(pulses(r, T, sr, r.uniform(10.0, 20.0) * s, r.uniform(0.01, 0.05), kernel))
    if r.random() < 0.25:  # stops or starts inside the clip
        start = int(r.uniform(0.0, 0.5) * T)
        sig *= segment_env(T, sr, start, int(r.uniform(0.3, 1.0) * T), 0.01, 0.01)
    sig += F32(r.uniform(0.1, 0.5)) * colored_noise(r, T, sr, beta=1.5, hi=500.0)  # compressor
    return sig


def _siren(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    lo, hi = r.uniform(550.0, 800.0) * s, r.uniform(1100.0, 1600.0) * s
    mode = r.random()
    if mode < 0.25:  # hi-lo two-tone: overlaps with car horn
        square = sine(r.uniform(0.8, 2.5), T, sr, r.random()) > 0
        freq = np.where(square, F32(hi), F32(lo * r.uniform(1.0, 1.3)))
    else:  # wail (slow) or yelp (fast) sinusoidal FM
        fm = r.uniform(0.2, 1.0) if mode < 0.65 else r.uniform(3.0, 8.0)
        freq = sine(fm, T, sr, r.random())
        freq *= F32((hi - lo) / 2)
        freq += F32((hi + lo) / 2)
    K = n_harmonics(hi, sr, r.integers(2, 7))
    return harmonic_tone(r, freq, T, sr, 1.0 / np.arange(1, K + 1) ** r.uniform(0.8, 2.0))


# Chords in just intonation, as integer frequency ratios (root first): major, minor, major 7th,
# harmonic 7th, minor 7th, sus4. All notes of a chord are harmonics of one base frequency, so a
# chord is one periodic waveform (one wavetable).
_CHORDS = ((4, 5, 6), (10, 12, 15), (8, 10, 12, 15), (4, 5, 6, 7), (10, 12, 15, 18), (6, 8, 9))
_STEPS = (0, 5, 7, -5, 2, -2, 3, -3)
_CHORD_TABLE_N = 4096


def _street_music(r: Rng, T: int, sr: int, s: float) -> np.ndarray:
    out = np.zeros(T, dtype=F32)
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
            K = n_harmonics(base * q, sr, K_cap)
            k = np.arange(1, K + 1)
            coef[q * k - 1] += r.uniform(0.5, 1.0) / k**bright * np.exp(1j * r.uniforms(0.0, TWO_PI, K))
        phase0 = r.random()
        if b > a:
            seg = osc(base, b - a, sr, coef, phase0, _CHORD_TABLE_N)
            seg *= ramp(b - a, sr, 0.01)
            if plucked:
                seg *= decay(b - a, sr, tau)
            out[a:b] = seg
        root += _STEPS[r.integers(0, len(_STEPS))]
    out = unit_rms(out)
    if r.random() < 0.4:  # drums: overlaps with engine/jackhammer
        L = max(2, int(0.15 * sr))
        kick = colored_noise(r, L, sr, lo=3000.0)
        kick *= decay(L, sr, 0.01) * F32(0.3)
        kick += decay_sine(r, L, sr, r.uniform(50.0, 90.0), 0.05)
        out += F32(r.uniform(0.3, 1.0)) * unit_rms(pulses(r, T, sr, r.uniform(2.0, 8.0), 0.01, kick))
    return out


SYNTHS: tuple[Synth, ...] = (
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
