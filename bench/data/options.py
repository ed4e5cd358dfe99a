"""Options shared by the real-data loaders (one mixin per concern, combined per dataset).

* ``SelectionParams``: ``classes``, ``max_per_class``, ``seed`` - every real-data loader.
* ``DataParams``: ``root`` plus the selection options - every loader that reads local files.
* ``FractionSplitParams``: ``val_fraction``, ``test_fraction`` - datasets without an official split.
* ``HoldoutParams``: ``val_fraction`` - datasets with an official train/test split (val is carved
  out of train).
* ``FoldParams``: ``test_fold``, ``val_fold`` - datasets with official cross-validation folds.
* ``AudioParams``: ``sample_rate``, ``seconds``, ``crop`` - every audio loader.

A Params class may set ``known_classes`` (a ClassVar): then ``classes`` is checked against it
when the suite is loaded, so a typo fails before anything runs.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from bench.core.errors import unknown_name_message
from bench.core.plugin import Params


class RootParams(Params):
    root: str | None = Field(
        None,
        description="Local folder holding the dataset (see docs/datasets.md for its layout); `~` and $VARS "
        "are expanded, relative paths are relative to the working directory. Unset: the environment "
        "variable QHEAD_DATA_<NAME> (NAME = dataset name, upper case, '-' -> '_'), else "
        "$QHEAD_DATA_ROOT/<name>.",
    )


class SelectionParams(Params):
    known_classes: ClassVar[tuple[str, ...]] = ()

    classes: list[str] | None = Field(
        None,
        min_length=2,
        description="Keep only these classes (e.g. two for a binary task); class indices follow this "
        "list's order. Unset: every class, in the dataset's order.",
    )
    max_per_class: int | None = Field(
        None,
        ge=3,
        description="Keep at most this many items per class, drawn from `seed` and shared between the "
        "splits in proportion to their sizes (at least one per split). Unset: no cap.",
    )
    seed: int = Field(0, ge=0, description="Seed of the dataset's own random choices (splits, cap).")

    @field_validator("classes", mode="before")
    @classmethod
    def _names_as_text(cls, value: Any) -> Any:
        """YAML ``classes: [3, 8]`` means the class names "3" and "8"."""
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("classes")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"classes listed twice: {', '.join(repeated)}")
        if cls.known_classes:
            for name in value:
                if name not in cls.known_classes:
                    raise ValueError(unknown_name_message("class", name, cls.known_classes))
        return value


class DataParams(SelectionParams, RootParams):
    """``root`` plus the selection options: the base of every loader that reads local files."""


class FractionSplitParams(Params):
    val_fraction: float = Field(
        0.15, ge=0, lt=1, description="Share of each class drawn (from `seed`) into the validation split."
    )
    test_fraction: float = Field(
        0.15, gt=0, lt=1, description="Share of each class drawn (from `seed`) into the test split."
    )

    @model_validator(mode="after")
    def _room_for_training(self) -> FractionSplitParams:
        if self.val_fraction + self.test_fraction >= 1:
            raise ValueError("val_fraction + test_fraction must be < 1 (the train split needs items)")
        return self


class HoldoutParams(Params):
    val_fraction: float = Field(
        0.1,
        gt=0,
        lt=1,
        description="Share of each class of the official training set drawn (from `seed`) into the "
        "validation split; the official test set is the test split.",
    )


class FoldParams(Params):
    n_folds: ClassVar[int] = 10

    test_fold: int = Field(
        10,
        ge=1,
        description="Official fold used as the test split (cross-validation: `folds: all` on the "
        "suite entry).",
    )
    val_fold: int | None = Field(
        None,
        ge=1,
        description="Official fold used for validation (model selection). Unset: the fold before "
        "`test_fold`, wrapping around (test 1 -> val = last fold). Every other fold trains.",
    )

    @model_validator(mode="after")
    def _folds_exist(self) -> FoldParams:
        n = self.n_folds
        for key in ("test_fold", "val_fold"):
            value = getattr(self, key)
            if value is not None and not 1 <= value <= n:
                raise ValueError(f"{key} must be a fold number from 1 to {n} (got {value})")
        if self.val_fold == self.test_fold:
            raise ValueError(f"val_fold and test_fold must differ (both {self.test_fold})")
        return self

    @property
    def validation_fold(self) -> int:
        """``val_fold``, or the fold before ``test_fold`` (cyclically)."""
        return self.val_fold if self.val_fold is not None else (self.test_fold - 2) % self.n_folds + 1


class AudioParams(Params):
    sample_rate: int = Field(22050, ge=1000, le=192000, description="Clips are resampled to this rate (Hz).")
    seconds: float = Field(
        4.0,
        gt=0,
        le=600,
        description="Clip length in seconds: longer clips are cropped, shorter ones "
        "zero-padded (padding is not a substitute for unreadable files, which are left out).",
    )
    crop: Literal["start", "center"] = Field(
        "start",
        description="Which part of a longer clip is kept, and where a shorter one is padded: 'start' keeps "
        "the beginning and pads at the end; 'center' keeps the middle and pads both sides.",
    )
