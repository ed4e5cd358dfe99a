"""Dataset -> features -> frozen backbone -> embeddings, each stage content-addressed in the cache.

* features: key = (dataset spec, feature spec); holds the feature array, labels, splits.
* backbone: key = (features key, backbone spec incl. training but not the protocol, seed);
  holds the trained weights and the train/val/test embeddings.

Both entries carry ``input``: the geometry of one raw example and of its features (modality,
sample rate, raw and feature shapes) and ``fitted``, the statistics the feature plugin learned
from the training split (``BaseFeature.fit``; absent in entries written before it existed), which
``bench.cell.predict`` needs to prepare a user's file.

The backbone trains and embeds on ``backbone.training.device`` at ``backbone.training.precision``
(``bench.cell.device``); an entry computed elsewhere than the CPU at fp32 also stores ``compute``
(device, precision, why it is not bit-reproducible), which ``EmbeddingSet.compute`` returns (an
entry without it was computed on the CPU at fp32). Its state and embeddings are CPU data either way.

Every entry stores the seconds its computation took, so a record can report the real cost of
a stage even when this run loaded it from the cache (``cache_hits`` says which).

With folds (``bench.data.folds``) the features key adds the folding (``{"kind", "count"}``) and
the entry each item's fold number (``folds``), so one features entry serves every fold; the
backbone key adds the fold (``Fold.spec``), so a backbone trains once per dataset x fold x seed.
``features_for(..., fold=)`` returns the entry with ``split`` set to that fold's split. Without
folds every key and entry is what it was before folds existed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from bench.backbones.train import embed, train_backbone
from bench.cell.device import CPU_INFO, Compute, is_default, resolve
from bench.core.hashing import stable_hash
from bench.core.registry import BACKBONES, DATASETS, FEATURES
from bench.core.seeding import derive_seed, seed_everything
from bench.data.base import SPLITS, check_every_class
from bench.data.folds import Fold, Folding, load_folded
from bench.results.cache import Cache, cache_key
from bench.spec.suite import BackboneSpec, PluginRef


@dataclass
class EmbeddingSet:
    """Embeddings and labels per split, plus the cost and provenance of producing them."""

    x: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    class_names: tuple[str, ...]
    skipped: tuple[str, ...]
    backbone_metrics: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)
    cache_hits: dict[str, bool] = field(default_factory=dict)
    compute: dict = field(default_factory=lambda: dict(CPU_INFO))  # bench.cell.device.Compute.info


def dataset_id(dataset: PluginRef) -> str:
    """A short id of a dataset spec (name and params), naming its fingerprint in a ``Cache``."""
    return stable_hash(dataset.model_dump())


def data_fingerprint(dataset: PluginRef, cache: Cache | None = None) -> str:
    """The dataset's ``fingerprint()``: the one ``cache`` holds for it (taken once per ``Cache``,
    or given by the run's driver), or taken now without a cache. A file dataset's stats every file."""

    def take() -> str:
        return DATASETS.get(dataset.name).from_dict(dataset.params).fingerprint()

    return cache.fingerprint(dataset_id(dataset), take) if cache is not None else take()


def features_key(
    dataset: PluginRef, features: PluginRef, cache: Cache | None = None, *, folding: Folding | None = None
) -> str:
    """Cache key of a dataset's features; it changes with the dataset's files (``data_fingerprint``,
    through ``cache`` when given) too, and with the ``folding`` of a fold suite."""
    data = data_fingerprint(dataset, cache)
    spec = {"stage": "features", "dataset": dataset.model_dump(), "features": features.model_dump()}
    if folding is not None:
        spec["folding"] = folding.spec()
    return cache_key({**spec, "data": data} if data else spec)


def backbone_key(
    dataset: PluginRef,
    features: PluginRef,
    backbone: BackboneSpec,
    seed: int,
    cache: Cache | None = None,
    *,
    fold: Fold | None = None,
) -> str:
    """Key of the trained (frozen-protocol) backbone; the protocol is left out, so a finetune
    suite and a frozen one with the same settings share it."""
    folding = fold.folding if fold is not None else None
    return backbone_key_from(features_key(dataset, features, cache, folding=folding), backbone, seed, fold)


def backbone_key_from(
    features_cache_key: str, backbone: BackboneSpec, seed: int, fold: Fold | None = None
) -> str:
    """``backbone_key`` from the features' key already computed."""
    spec = backbone.model_dump(exclude={"protocol"})
    key = {"stage": "backbone", "features": features_cache_key, "backbone": spec, "seed": seed}
    return cache_key({**key, "fold": fold.spec()} if fold is not None else key)


def features_for(
    dataset: PluginRef, features: PluginRef, cache: Cache, *, fold: Fold | None = None
) -> tuple[dict, bool]:
    """``(features entry, cache hit)`` for one dataset: arrays, labels, splits, ``input``; with a
    ``fold``, ``split`` is that fold's split."""
    folding = fold.folding if fold is not None else None
    key = features_key(dataset, features, cache, folding=folding)
    entry, hit = cache.get_or_compute("features", key, lambda: _compute_features(dataset, features, folding))
    return (entry if fold is None else {**entry, "split": fold.split(entry["folds"])}), hit


def prepare_features(
    dataset: PluginRef,
    features: PluginRef,
    backbone: BackboneSpec,
    seeds: list[int],
    cache: Cache,
    folds: list[Fold | None] | None = None,
) -> bool:
    """Compute and cache a dataset's features ahead of its backbones; True when computed now.

    Nothing is done when the features are cached already, or when nobody will read them: every
    backbone of ``folds`` x ``seeds`` is cached and the protocol is frozen (finetune cells read the
    features). ``folds`` default to ``[None]`` (no folds); they share one folding."""
    folds = folds or [None]
    folding = folds[0].folding if folds[0] is not None else None
    key = features_key(dataset, features, cache, folding=folding)
    if cache.contains("features", key):
        return False
    needed = backbone.protocol == "finetune" or any(
        not cache.contains("backbone", backbone_key_from(key, backbone, seed, fold))
        for fold in folds
        for seed in seeds
    )
    if not needed:
        return False
    _, hit = cache.get_or_compute("features", key, lambda: _compute_features(dataset, features, folding))
    return not hit


def _compute_features(dataset: PluginRef, features: PluginRef, folding: Folding | None = None) -> dict:
    start = time.perf_counter()
    plugin = DATASETS.get(dataset.name).from_dict(dataset.params)
    raw, folds = load_folded(plugin, folding) if folding is not None else (plugin.load(), None)
    check_every_class(raw, dataset.label)  # a class whose every file is unreadable fails the cells
    x, fitted = FEATURES.get(features.name).from_dict(features.params).fit_transform(raw)
    geometry = {
        "modality": raw.modality,
        "sample_rate": int(raw.sample_rate),
        "raw_shape": tuple(raw.x.shape[1:]),
        "feature_shape": tuple(x.shape[1:]),
        "fitted": fitted,
    }
    entry = {
        "input": geometry,
        "x": x.astype(np.float32),
        "labels": raw.labels.astype(np.int64),
        "split": raw.split,
        "class_names": tuple(raw.class_names),
        "skipped": tuple(raw.skipped),
        "seconds": time.perf_counter() - start,
    }
    return entry if folds is None else {**entry, "folds": folds}


def _compute_backbone(feats: dict, backbone: BackboneSpec, seed: int) -> dict:
    start = time.perf_counter()
    parts = {s: feats["split"] == s for s in SPLITS}
    x = {s: feats["x"][m] for s, m in parts.items()}
    y = {s: feats["labels"][m] for s, m in parts.items()}
    seed_everything(derive_seed(seed, "backbone-init"))
    plugin = BACKBONES.get(backbone.name).from_dict(backbone.params)
    net = plugin.build(feats["x"].shape[1:], len(feats["class_names"]))
    plugin.load_pretrained(net)
    compute = Compute(resolve(backbone.training.device), backbone.training.precision)
    with compute.active():
        net.to(compute.device)
        history = train_backbone(
            net,
            x["train"],
            y["train"],
            x["val"],
            y["val"],
            backbone.training,
            derive_seed(seed, "backbone-shuffle"),
            compute,
        )
        trained = time.perf_counter()
        emb = {s: embed(net, x[s], compute=compute) for s in SPLITS}
    net.to("cpu")
    with torch.no_grad():
        test_pred = net.classifier(torch.from_numpy(emb["test"])).argmax(1).numpy()
    scored = len(test_pred) and backbone.training.epochs > 0  # an untrained classifier is not scored
    metrics = {**history, "test_accuracy": float((test_pred == y["test"]).mean()) if scored else float("nan")}
    entry = {
        "input": feats["input"],
        "x": emb,
        "y": y,
        "state": {k: v.clone() for k, v in net.state_dict().items()},
        "metrics": metrics,
        "class_names": feats["class_names"],
        "skipped": feats["skipped"],
        "seconds_features": feats["seconds"],
        "seconds_train": trained - start,
        "seconds_embed": time.perf_counter() - trained,
    }
    return entry if is_default(compute.info()) else {**entry, "compute": compute.info()}


def embeddings_for(
    dataset: PluginRef,
    features: PluginRef,
    backbone: BackboneSpec,
    seed: int,
    cache: Cache,
    *,
    fold: Fold | None = None,
) -> EmbeddingSet:
    """Embeddings of every split for one dataset (x fold) x seed, computed once and cached.

    Features are loaded (or computed) only when the backbone entry is missing. The entry is read
    once per process (``Cache.load_shared``): its arrays are shared and read-only.
    """
    bkey = backbone_key(dataset, features, backbone, seed, cache, fold=fold)
    bb, hits = cache.load_shared("backbone", bkey), {"features": True, "backbone": True}
    if bb is None:
        feats, hits["features"] = features_for(dataset, features, cache, fold=fold)
        bb, hits["backbone"] = _compute_backbone(feats, backbone, seed), False
        cache.save("backbone", bkey, bb)
    return EmbeddingSet(
        x=bb["x"],
        y=bb["y"],
        class_names=bb["class_names"],
        skipped=bb["skipped"],
        backbone_metrics=bb["metrics"],
        timings={
            "features_s": bb["seconds_features"],
            "backbone_s": bb["seconds_train"],
            "embedding_s": bb["seconds_embed"],
        },
        cache_hits=hits,
        compute=bb.get("compute", CPU_INFO),
    )
