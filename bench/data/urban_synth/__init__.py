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
a random recording "channel" applied to the event (a spectral tilt of up to +-4.5 dB of power per
octave around 1 kHz, a distance low-pass with its corner log-uniform in 1-8 kHz, a
small-microphone high-pass at 40-400 Hz); background noise (power ~ 1/f**beta, beta uniform in
[0.6, 2]: from nearly white to brown) at an SNR drawn uniformly from ``snr_db`` (SNR = mean power
of the filtered event over the whole clip / mean power of the noise); with probability
``overlap_prob`` a quieter event of another class (any of the ten, so clips do not depend on
``n_classes``), 2-10 dB below the event, added on top. The mix is
peak-normalised, then scaled by a random gain of -12..0 dB (times 0.99) and given a DC offset
of at most 0.01 in magnitude, so ``|x| <= 1`` always.

The classes overlap on purpose (a whine in some air conditioners, hammer-drill modulation
in some drills, a two-tone "hi-lo" siren near a car horn, drums under some street music,
low-SNR clips), so a classifier does well but not perfectly.

Modules, one job each: ``dsp`` (seeded draws, oscillators, shaped noise, envelopes), ``recipes``
(one synthesiser per class), ``clip`` (mixing one clip), ``dataset`` (the plugin and its splits).

Speed: every synthesiser works on whole float32 arrays (wavetable oscillators with uint32
phase accumulators, FFT-shaped noise, kernels placed at pulse times); the channel and the
background are applied in one frequency-domain pass; scalar random draws come from a buffered
block of uniforms because single numpy draws cost microseconds each. Clips are generated one
after another (threads do not help: the work is many short numpy calls, bound by the GIL).
"""

from bench.data.urban_synth.clip import make_clip
from bench.data.urban_synth.dataset import CLASS_NAMES, UrbanSynth, UrbanSynthParams, split_counts

__all__ = ["CLASS_NAMES", "UrbanSynth", "UrbanSynthParams", "make_clip", "split_counts"]
