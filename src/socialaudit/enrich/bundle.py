"""The shipped model: linear heads over named feature blocks, saved as plain arrays.

A bundle is ``<name>.npz`` (the arrays) plus ``<name>.json`` (classes, feature blocks,
thresholds, version, training summary).  Loading one runs no code from the file: no
pickles, no download, nothing outside the package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import numpy as np

from .features import HashedTfidf

MODELS_DIR = files("socialaudit.enrich").joinpath("models")


@dataclass
class LinearHead:
    """A (multinomial or binary) logistic regression over concatenated feature blocks."""

    name: str
    classes: list[str]
    blocks: list[str]
    coef: np.ndarray       # (1 or n_classes, n_features)
    intercept: np.ndarray  # (1 or n_classes,)
    threshold: float = 0.5
    #: Platt scaling (a, b) of a binary head's decision, fitted on out-of-fold decisions, so that
    #: its probabilities mean what they say (``None``: the logistic output as it is).
    calibration: tuple[float, float] | None = None
    #: One-vs-rest multi-class head: probabilities are its classes' sigmoids, normalised to sum to 1.
    ovr: bool = False

    def decision(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef.T) + self.intercept

    def predict_proba(self, X) -> np.ndarray:
        z = self.decision(X)
        if len(self.classes) == 2 and z.shape[1] == 1:
            z = z[:, 0] if self.calibration is None else self.calibration[0] * z[:, 0] + self.calibration[1]
            p = 1.0 / (1.0 + np.exp(-z))
            return np.column_stack([1 - p, p])
        if self.ovr:
            p = 1.0 / (1.0 + np.exp(-z))
            return p / p.sum(axis=1, keepdims=True)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass
class ModelBundle:
    name: str
    variant: str
    version: str
    featurizers: dict[str, HashedTfidf] = field(default_factory=dict)
    heads: dict[str, LinearHead] = field(default_factory=dict)
    block_scale: dict[str, float] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def save(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for key, f in self.featurizers.items():
            arrays[f"featurizer/{key}/indices"] = f.indices
            arrays[f"featurizer/{key}/idf"] = f.idf
        heads = {}
        for key, h in self.heads.items():
            arrays[f"head/{key}/coef"] = h.coef.astype(np.float32)
            arrays[f"head/{key}/intercept"] = h.intercept.astype(np.float32)
            heads[key] = {"classes": h.classes, "blocks": h.blocks, "threshold": h.threshold,
                          **({"calibration": list(h.calibration)} if h.calibration else {}),
                          **({"ovr": True} if h.ovr else {})}
        npz = directory / f"{self.name}.npz"
        np.savez_compressed(npz, **arrays)
        meta = {"name": self.name, "variant": self.variant, "version": self.version, "heads": heads,
                "featurizers": sorted(self.featurizers), "block_scale": self.block_scale, **self.meta}
        js = directory / f"{self.name}.json"
        js.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return npz, js

    @classmethod
    def load(cls, name: str, directory: Path | None = None) -> ModelBundle:
        base = Path(str(directory or MODELS_DIR))
        meta = json.loads((base / f"{name}.json").read_text(encoding="utf-8"))
        with np.load(base / f"{name}.npz", allow_pickle=False) as arrays:
            featurizers = {k: HashedTfidf(arrays[f"featurizer/{k}/indices"], arrays[f"featurizer/{k}/idf"])
                           for k in meta["featurizers"]}
            heads = {k: LinearHead(k, v["classes"], v["blocks"], arrays[f"head/{k}/coef"],
                                   arrays[f"head/{k}/intercept"], v["threshold"],
                                   tuple(v["calibration"]) if v.get("calibration") else None,
                                   bool(v.get("ovr", False)))
                     for k, v in meta["heads"].items()}
        extra = {k: v for k, v in meta.items()
                 if k not in ("name", "variant", "version", "heads", "featurizers", "block_scale")}
        return cls(meta["name"], meta["variant"], meta["version"], featurizers, heads, meta["block_scale"], extra)
