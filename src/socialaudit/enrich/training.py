"""Training and evaluating the shipped classifiers on the real labelled data.

One entry point, :func:`train_and_evaluate`, does both: it measures every head with
cross-validation (nested: the regularisation strength is chosen inside each training
fold) and on the hand-labelled test split, then fits the final heads on all training data
and writes the bundle and its model card.  :func:`evaluate` is the same measurement
without writing anything — the command that reproduces the model card's figures.

Data (../shared/data, see each folder's SOURCE.md):

* English complaints: the ACL 2019 complaints corpus (2,750 tweets);
* English sentiment: TweetEval sentiment, validation split (2,000 tweets);
* German sentiment: GermEval 2017 development split (2,584 Deutsche Bahn documents),
  without the 160 documents of the hand-labelled sample; its "relevant and negative"
  documents are the German complaint head's weak labels;
* intents (question, product feedback, praise): the hand-labelled sample in
  ``data/labelled`` (480 EN/DE posts), ``dev`` half for fitting, ``test`` half for figures.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support, recall_score
from sklearn.model_selection import StratifiedKFold

from .. import __version__
from .bundle import LinearHead, ModelBundle
from .classifier import ACCURATE, FAST, Classifier
from .features import HashedTfidf, hashed_counts, lexicon_features, use_embeddings
from .language import identify
from .text import CUE_NAMES, cue_features, normalise

SEED = 20241123
CS = (0.3, 1.0, 3.0, 10.0)
INTENT_CS = (0.1, 0.3, 1.0)
BLOCK_SCALE = {"lexicon": 2.0, "use": 1.0, "cues": 1.0, "scores": 2.0}
INTENT_HEADS = ("question", "product_feedback", "praise")
BLOCKS = {  # head -> feature blocks (the accurate variant adds "use" to the language heads)
    "complaint:en": ["ngrams:complaint-en", "lexicon"],
    "sentiment:en": ["ngrams:sentiment-en", "lexicon"],
    "complaint:de": ["ngrams:de"],
    "sentiment:de": ["ngrams:de"],
    **{k: ["cues", "scores"] for k in INTENT_HEADS},
}


@dataclass
class Corpus:
    """Texts of one language's training data, with everything computed once per text."""

    lang: str
    raw: list[str]
    counts: sp.csr_matrix
    dense: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, lang: str, raw: list[str], use: bool) -> Corpus:
        corpus = cls(lang, raw, hashed_counts([normalise(t) for t in raw]))
        if lang == "en":
            corpus.dense["lexicon"] = lexicon_features(raw)
        if use:
            corpus.dense["use"] = use_embeddings(raw, threads=2)
        return corpus

    def design(self, blocks: list[str], idf: HashedTfidf, rows: np.ndarray) -> sp.csr_matrix:
        parts = []
        for b in blocks:
            if b.startswith("ngrams:"):
                parts.append(idf.transform_counts(self.counts[rows]))
            else:
                parts.append(sp.csr_matrix(self.dense[b][rows] * BLOCK_SCALE[b]))
        return sp.hstack(parts).tocsr()


@dataclass
class Data:
    complaints: pd.DataFrame
    tweeteval: pd.DataFrame
    germeval: pd.DataFrame
    labelled: pd.DataFrame


def load_data(data_dir: Path, labelled: Path) -> Data:
    complaints = pd.read_csv(data_dir / "complaints" / "train.csv", dtype={"tweet_id": str})
    tweeteval = pd.read_csv(data_dir / "tweeteval_sentiment" / "val.csv")
    germeval = pd.read_csv(data_dir / "germeval2017" / "dev.csv", keep_default_na=False)
    germeval["row"] = np.arange(len(germeval))
    lab = pd.read_csv(labelled, keep_default_na=False)
    held = {int(i.split(":", 1)[1]) for i in lab.id if i.startswith("germeval:")}
    germeval = germeval[~germeval.row.isin(held) & (germeval.text.str.strip() != "null")].reset_index(drop=True)
    germeval["complaint"] = ((germeval.relevant.astype(str).str.lower() == "true")
                             & (germeval.sentiment == "negative")).astype(int)
    germeval["label"] = germeval.sentiment.map({"negative": 0, "neutral": 1, "positive": 2})
    return Data(complaints, tweeteval, germeval, lab)


def _fit_lr(X, y, C: float) -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(X, y)


def _metric(name: str, y, p) -> float:
    if name == "macro_f1":
        return f1_score(y, p, average="macro")
    if name == "macro_recall":
        return recall_score(y, p, average="macro")
    return accuracy_score(y, p)


def _choose_c(corpus: Corpus, blocks: list[str], y: np.ndarray, rows: np.ndarray, metric: str) -> float:
    """The regularisation strength with the best 3-fold CV score on ``rows`` only."""
    inner = StratifiedKFold(3, shuffle=True, random_state=SEED)
    best, best_c = -1.0, CS[0]
    for C in CS:
        preds = np.empty(len(rows), dtype=y.dtype)
        for tr, te in inner.split(rows, y[rows]):
            idf = HashedTfidf.fit_counts(corpus.counts[rows[tr]])
            model = _fit_lr(corpus.design(blocks, idf, rows[tr]), y[rows[tr]], C)
            preds[te] = model.predict(corpus.design(blocks, idf, rows[te]))
        score = _metric(metric, y[rows], preds)
        if score > best:
            best, best_c = score, C
    return best_c


def nested_cv(corpus: Corpus, blocks: list[str], y: np.ndarray, metric: str, folds: int) -> dict:
    """Outer ``folds``-fold CV; C chosen by inner CV within each training fold."""
    outer = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    preds = np.empty(len(y), dtype=y.dtype)
    per_fold, chosen = [], []
    for tr, te in outer.split(np.zeros(len(y)), y):
        C = _choose_c(corpus, blocks, y, tr, metric)
        idf = HashedTfidf.fit_counts(corpus.counts[tr])
        model = _fit_lr(corpus.design(blocks, idf, tr), y[tr], C)
        preds[te] = model.predict(corpus.design(blocks, idf, te))
        per_fold.append(_metric(metric, y[te], preds[te]))
        chosen.append(C)
    return {"metric": metric, "value": _metric(metric, y, preds), "fold_mean": float(np.mean(per_fold)),
            "fold_std": float(np.std(per_fold)), "folds": folds, "C_chosen": chosen,
            "accuracy": accuracy_score(y, preds), "macro_f1": f1_score(y, preds, average="macro"),
            "macro_recall": recall_score(y, preds, average="macro"), "n": len(y)}


def _prf(y, p) -> dict:
    prec, rec, f1, _ = precision_recall_fscore_support(y, p, average="binary", zero_division=0)
    return {"precision": float(prec), "recall": float(rec), "f1": float(f1), "positives": int(np.sum(y)),
            "predicted": int(np.sum(p)), "n": len(y)}


def train_and_evaluate(data_dir: Path, labelled: Path, variant: str = "fast", out: Path | None = None,
                       log=print) -> dict:
    """Measure every head, fit the final bundle; write it and the model card to ``out``."""
    use = variant == "accurate"
    started = time.perf_counter()
    data = load_data(data_dir, labelled)
    blocks = {k: (v + ["use"] if use and ":" in k else v) for k, v in BLOCKS.items()}
    log("computing features ...")
    en_complaints = Corpus.build("en", data.complaints.text.tolist(), use)
    en_tweets = Corpus.build("en", data.tweeteval.text.tolist(), use)
    de_docs = Corpus.build("de", data.germeval.text.tolist(), use)
    y_complaint = data.complaints.label.to_numpy()
    y_sent_en = data.tweeteval.label.to_numpy()
    y_sent_de = data.germeval.label.to_numpy()
    y_complaint_de = data.germeval.complaint.to_numpy()

    report: dict = {"variant": variant, "cross_validation": {}, "hand_labelled": {}, "dev_selection": {}}
    cv = report["cross_validation"]
    log("nested cross-validation: English complaints (10 folds) ...")
    cv["complaint_en"] = nested_cv(en_complaints, blocks["complaint:en"], y_complaint, "macro_f1", 10)
    log("nested cross-validation: English sentiment (5 folds) ...")
    cv["sentiment_en"] = nested_cv(en_tweets, blocks["sentiment:en"], y_sent_en, "macro_recall", 5)
    log("nested cross-validation: German sentiment (5 folds) ...")
    cv["sentiment_de"] = nested_cv(de_docs, blocks["sentiment:de"], y_sent_de, "accuracy", 5)
    cv["sentiment_de"]["majority_baseline"] = float(np.mean(y_sent_de == np.bincount(y_sent_de).argmax()))

    log("fitting the language heads on all training data ...")
    bundle = ModelBundle(FAST if not use else ACCURATE, variant, f"{__version__}-{dt.date.today():%Y%m%d}",
                         block_scale={k: v for k, v in BLOCK_SCALE.items() if use or k != "use"})
    sentiments = ["negative", "neutral", "positive"]
    # Each head is fitted as it was evaluated: its corpus' own IDF, and the C most often
    # chosen by the inner cross-validation (the German complaint head, without a CV figure of
    # its own, takes the C its inner CV chooses on all of GermEval).
    de_C = _choose_c(de_docs, blocks["complaint:de"], y_complaint_de, np.arange(len(y_complaint_de)), "macro_f1")
    for name, featurizer, corpus, y, classes, C in (
            ("complaint:en", "complaint-en", en_complaints, y_complaint, ["no", "yes"], _best_c(cv["complaint_en"])),
            ("sentiment:en", "sentiment-en", en_tweets, y_sent_en, sentiments, _best_c(cv["sentiment_en"])),
            ("sentiment:de", "de", de_docs, y_sent_de, sentiments, _best_c(cv["sentiment_de"])),
            ("complaint:de", "de", de_docs, y_complaint_de, ["no", "yes"], de_C)):
        idf = bundle.featurizers.setdefault(featurizer, HashedTfidf.fit_counts(corpus.counts))
        rows = np.arange(len(y))
        model = _fit_lr(corpus.design(blocks[name], idf, rows), y, C)
        bundle.heads[name] = LinearHead(name, classes, blocks[name], model.coef_.astype(np.float32),
                                        model.intercept_.astype(np.float32))

    log("fitting the intent heads on the hand-labelled dev half ...")
    classifier = Classifier(bundle) if not use else _unchecked(bundle)
    lab = data.labelled
    texts = lab.text.tolist()
    langs, _ = identify(texts)
    scores = classifier.language_scores(texts, langs)
    design = sp.hstack([sp.csr_matrix(cue_features(texts) * BLOCK_SCALE["cues"]),
                        sp.csr_matrix(scores * BLOCK_SCALE["scores"])]).tocsr()
    dev = (lab.split == "dev").to_numpy()
    test = ~dev
    for name in INTENT_HEADS:
        y = lab[name].astype(int).to_numpy()
        C, threshold, cv_f1 = _choose_intent(design[dev], y[dev])
        model = _fit_lr(design[dev], y[dev], C)
        bundle.heads[name] = LinearHead(name, ["no", "yes"], blocks[name], model.coef_.astype(np.float32),
                                        model.intercept_.astype(np.float32), threshold)
        report["dev_selection"][name] = {"C": C, "threshold": threshold, "cv_f1": round(cv_f1, 3)}

    log("evaluating on the hand-labelled test half ...")
    final = Classifier(bundle) if not use else _unchecked(bundle)
    predictions = final.predict(texts)
    cue_rule = _cue_rule(texts)
    hl = report["hand_labelled"]
    lang_arr = lab.lang.to_numpy()
    for name in ("question", "complaint", "product_feedback", "praise"):
        y = lab[name].astype(int).to_numpy()
        flags = predictions.flags(name).astype(int)
        for lang in ("en", "de"):
            rows = test & (lang_arr == lang)
            hl[f"{name}_{lang}"] = _prf(y[rows], flags[rows])
            if name in cue_rule:
                hl[f"{name}_{lang}_cue_rule"] = _prf(y[rows], cue_rule[name][rows].astype(int))
    detected = np.array(predictions.lang)
    hl["language"] = {"accuracy_en": float(np.mean(detected[lang_arr == "en"] == "en")),
                      "accuracy_de": float(np.mean(detected[lang_arr == "de"] == "de")),
                      "n_en": int(np.sum(lang_arr == "en")), "n_de": int(np.sum(lang_arr == "de"))}
    report["counts"] = {"complaints": len(y_complaint), "tweeteval": len(y_sent_en), "germeval": len(y_sent_de),
                        "germeval_complaints_weak": int(y_complaint_de.sum()),
                        "labelled_dev": int(dev.sum()), "labelled_test": int(test.sum())}
    report["seconds"] = round(time.perf_counter() - started, 1)
    bundle.meta = {"trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                   "evaluation": report}
    if out is not None:
        bundle.save(out)
        log(f"wrote {out / bundle.name}.npz and .json")
    return report


def evaluate(data_dir: Path, labelled: Path, variant: str = "fast", log=print) -> dict:
    """Reproduce the model card's figures (trains in memory, writes nothing)."""
    return train_and_evaluate(data_dir, labelled, variant, out=None, log=log)


def _best_c(cv_result: dict) -> float:
    values, counts = np.unique(cv_result["C_chosen"], return_counts=True)
    return float(values[counts.argmax()])


def _choose_intent(X, y) -> tuple[float, float, float]:
    """Regularisation and decision threshold with the best F1 in repeated 5-fold CV on the
    hand-labelled dev half (the test half is never looked at)."""
    if y.sum() < 5:
        return 1.0, 0.5, float("nan")
    best = (-1.0, 1.0, 0.5)
    grid = np.round(np.arange(0.2, 0.81, 0.05), 2)
    for C in INTENT_CS:
        probs = np.zeros(len(y))
        for repeat in range(3):
            folds = StratifiedKFold(5, shuffle=True, random_state=SEED + repeat)
            for tr, te in folds.split(X, y):
                probs[te] += _fit_lr(X[tr], y[tr], C).predict_proba(X[te])[:, 1] / 3
        for t in grid:
            score = f1_score(y, probs >= t, zero_division=0)
            if score > best[0]:
                best = (score, C, float(t))
    return best[1], best[2], best[0]


def _cue_rule(texts: list[str]) -> dict[str, np.ndarray]:
    """The audit's transparent cue rule, as the baseline the classifier has to beat."""
    cues = cue_features(texts)
    return {"question": cues[:, CUE_NAMES.index("rule_question")] > 0,
            "complaint": cues[:, CUE_NAMES.index("rule_complaint")] > 0}


def _unchecked(bundle: ModelBundle) -> Classifier:
    classifier = Classifier.__new__(Classifier)
    classifier.bundle = bundle
    return classifier
