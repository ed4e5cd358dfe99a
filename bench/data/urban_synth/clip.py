"""One clip: an event through a random recording channel, background noise at a drawn SNR, an
optional fainter event of another class, gain and DC offset (the package docstring has the numbers)."""

from __future__ import annotations

import numpy as np

from bench.data.urban_synth.dsp import F32, TWO_PI, Rng, log_freqs, ramp
from bench.data.urban_synth.recipes import SYNTHS

_CLIP_TAG = 0xC1


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
    r = Rng([seed, _CLIP_TAG, class_idx, i])
    event = SYNTHS[class_idx](r, T, sr, r.uniform(0.85, 1.15))

    delayed, d = r.random() < 0.5, int(r.uniform(0.0, 0.25) * T)
    if delayed and d > 0:  # later onset: the event starts d samples into the clip
        event = np.concatenate([np.zeros(d, dtype=F32), event[: T - d] * ramp(T - d, sr, 0.005)])

    # Mixing happens in the frequency domain (one FFT each way): the event goes through a
    # random "channel" (spectral tilt, distance low-pass, small-microphone high-pass), the
    # background is random-phase noise with power ~ 1/f**beta scaled to the drawn SNR.
    from scipy.fft import next_fast_len  # here: importing the plugin (planning) stays light

    n = next_fast_len(T, real=True)
    logf = log_freqs(n, sr)
    tilt, lp, hp = (
        r.uniform(-1.5, 1.5),
        np.exp(r.uniform(np.log(1000.0), np.log(8000.0))),
        r.uniform(40.0, 400.0),
    )
    beta, snr = r.uniform(0.6, 2.0), r.uniform(*snr_db)
    gain_db, dc = r.uniform(-12.0, 0.0), r.uniform(-0.01, 0.01)
    channel = np.exp((logf - F32(np.log(1000.0))) * F32(tilt / 2.0))  # power: +-4.5 dB per octave
    channel /= np.sqrt(1.0 + np.exp((logf - F32(np.log(lp))) * F32(4.0)))
    channel /= np.sqrt(1.0 + np.exp((F32(np.log(hp)) - logf) * F32(2.0)))
    spec = np.fft.rfft(event.astype(np.float64), n).astype(np.complex64)  # (numpy's float32 rfft is slower)
    spec *= channel
    p_event = _spectrum_power(spec, n) * n / T  # the event's power over the clip's T samples
    noise_gain = np.exp(logf * F32(-beta / 2.0))
    noise_gain[0] = 0.0
    phase = r.gen.random(logf.shape[0], dtype=F32)
    phase *= F32(TWO_PI)
    p_noise = _spectrum_power(noise_gain, n)
    target = p_event * 10.0 ** (-snr / 10.0) if p_event > 0 else 1.0
    noise_gain *= F32(np.sqrt(target / p_noise)) if p_noise > 0 else F32(0.0)
    spec.real += noise_gain * np.cos(phase)
    spec.imag += noise_gain * np.sin(phase)
    mix = np.fft.irfft(spec, n)[:T].astype(F32)

    if p_event > 0 and r.random() < overlap_prob:  # a quieter event of another class (any of the ten)
        other = r.integers(0, len(SYNTHS) - 1)
        other += other >= class_idx
        faint = SYNTHS[other](r, T, sr, r.uniform(0.85, 1.15))
        rel_db = r.uniform(-10.0, -2.0)
        if (p_faint := _power(faint)) > 0:
            mix += F32(np.sqrt(p_event / p_faint * 10.0 ** (rel_db / 10.0))) * faint

    peak = max(float(mix.max()), -float(mix.min())) if mix.size else 0.0
    mix *= F32(10.0 ** (gain_db / 20.0) * 0.99 / (peak if peak > 0 else 1.0))
    mix += F32(dc)
    return np.clip(mix, -1.0, 1.0, out=mix)
