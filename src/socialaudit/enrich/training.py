"""Training and evaluating the shipped classifiers on the real labelled data.

One entry point, :func:`train_and_evaluate`: every choice (feature options, regularisation,
probability calibration, decision thresholds) is made by grouped cross-validation on the
``dev`` split; the final heads are fitted on ``dev``; the ``test`` split is read once, at the
end, for the model card's figures — beside the audit's cue rule, the majority class and the
previous model.  :func:`evaluate` is the same without writing anything: the command that
reproduces the card.

One split rule for every corpus (:func:`socialaudit.enrich.labelled.split_of`, by conversation),
so a text is in ``test`` for every head or for none:

* the hand-labelled posts, ``data/labelled/intent_labels.csv`` (TWCS, SpotifyCares, IBM care
  conversations, ACL 2019 complaints, GermEval 2017): question, complaint, product feedback,
  praise (EN, DE) and English sentiment;
* the ACL 2019 complaints corpus (``complaints/train.csv``): more English complaint labels, and
  its own macro-F1 on its test part;
* TweetEval sentiment (``tweeteval_sentiment/val.csv``): English sentiment;
* GermEval 2017 (``germeval2017/dev.csv``): German sentiment; its "relevant and negative"
  documents as weak German complaint labels (an option the dev split decides on).
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
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, recall_score
from sklearn.model_selection import GroupKFold

from .. import __version__
from . import evaluation as ev
from .bundle import LinearHead, ModelBundle
from .classifier import ACCURATE, FAST, INTENTS, SENTIMENTS, Classifier
from .features import HashedTfidf, hashed_counts, lexicon_features, use_embeddings
from .labelled import cohens_kappa, load_labelled, split_of
from .text import CUE_NAMES, cue_features, normalise

SEED = 20261206
CS = (2.0, 8.0, 32.0)  # yes/no heads over n-grams (dev chose the upper end of a lower grid)
SENTIMENT_CS = (0.5, 1.0, 2.0, 4.0, 8.0)  # three-class heads: a lower grid than the yes/no heads
FOLDS = 5
BLOCK_SCALE = {"lexicon": 1.0, "use": 1.0, "cues": 1.0}
#: Product feedback goes to R&D's inbox: its threshold is the lowest whose dev precision reaches this.
ROUTING_PRECISION = {"product_feedback": 0.75}
#: The keyword baselines every intent is shown beside (cue features of ``text.CUES``).
BASELINE_CUES = {"question": ("rule_question",), "complaint": ("rule_complaint",),
                 "product_feedback": ("feature_request", "bug_words"), "praise": ("thanks", "praise_words")}


def blocks_for(lang: str, use: bool) -> list[str]:
    blocks = [f"ngrams:{lang}", "cues"] + (["lexicon"] if lang == "en" else [])
    return blocks + (["use"] if use else [])


@dataclass
class TextSet:
    """Texts of one corpus, with every feature computed once per text."""

    name: str
    lang: str
    raw: list[str]
    groups: np.ndarray
    split: np.ndarray
    counts: sp.csr_matrix
    dense: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, name: str, lang: str, raw: list[str], groups: list[str], use: bool) -> TextSet:
        groups_arr = np.asarray(groups, dtype=object)
        split = np.array([split_of(g) for g in groups], dtype=object)
        out = cls(name, lang, raw, groups_arr, split, hashed_counts([normalise(t) for t in raw]))
        out.dense["cues"] = cue_features(raw)
        if lang == "en":
            out.dense["lexicon"] = lexicon_features(raw)
        if use:
            out.dense["use"] = use_embeddings(raw, threads=2)
        return out

    def design(self, blocks: list[str], idf: HashedTfidf, rows: np.ndarray) -> sp.csr_matrix:
        parts = []
        for b in blocks:
            if b.startswith("ngrams:"):
                parts.append(idf.transform_counts(self.counts[rows]))
            else:
                parts.append(sp.csr_matrix(self.dense[b][rows] * BLOCK_SCALE[b]))
        return sp.hstack(parts).tocsr()


@dataclass
class Part:
    """Rows of one text set with labels, as one part of a head's training data."""

    texts: TextSet
    rows: np.ndarray
    y: np.ndarray


@dataclass
class HeadData:
    parts: list[Part]
    _designs: dict = field(default_factory=dict, repr=False)

    def design(self, blocks, idf) -> sp.csr_matrix:
        """The parts' rows stacked (built once: the selection and the final fit read the same matrix)."""
        key = (tuple(blocks), id(idf))
        if key not in self._designs:
            self._designs[key] = sp.vstack([p.texts.design(blocks, idf, p.rows) for p in self.parts]).tocsr()
        return self._designs[key]

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([p.y for p in self.parts])

    @property
    def groups(self) -> np.ndarray:
        return np.concatenate([p.texts.groups[p.rows] for p in self.parts])

    @property
    def scored(self) -> np.ndarray:
        """Which rows the dev metric is computed on (the first part: the task's own labels)."""
        return np.concatenate([np.full(len(p.rows), i == 0) for i, p in enumerate(self.parts)])


class OneVsRest:
    """One class-balanced liblinear logistic regression per class (sentiment), stacked."""

    def __init__(self, models: list[LogisticRegression]):
        self.coef_ = np.vstack([m.coef_ for m in models])
        self.intercept_ = np.concatenate([m.intercept_ for m in models])

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_


def _fit(X, y, C: float):
    """Class-balanced logistic regression by liblinear: fast on sparse n-grams.  Several classes:
    one-vs-rest (their probabilities, normalised, are the sentiment probabilities)."""
    classes = np.unique(y)
    if len(classes) <= 2:
        return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=3000).fit(X, y)
    return OneVsRest([_fit(X, (y == k).astype(int), C) for k in classes])


def _oof_decisions(X, y, groups, C: float) -> np.ndarray:
    """Out-of-fold decision values (binary: (n,); multi-class: (n, k)) by grouped k-fold."""
    binary = len(np.unique(y)) == 2
    out = np.zeros(len(y)) if binary else np.zeros((len(y), len(np.unique(y))))
    for tr, te in GroupKFold(FOLDS).split(X, y, groups):
        model = _fit(X[tr], y[tr], C)
        out[te] = model.decision_function(X[te])
    return out


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    model = LogisticRegression(C=1e4, max_iter=1000).fit(decision.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def choose_threshold(y: np.ndarray, prob: np.ndarray, min_precision: float | None,
                     min_recall: float = 0.25) -> float:
    """Best-F1 threshold; with ``min_precision``, the lowest threshold reaching that precision while
    keeping at least ``min_recall`` (routing needs few false alarms, but an inbox that never fills is
    no use either), else best F1."""
    precision, recall, thresholds = precision_recall_curve(y, prob)
    precision, recall = precision[:-1], recall[:-1]
    if min_precision is not None:
        ok = np.flatnonzero((precision >= min_precision) & (recall >= min_recall))
        if len(ok):
            return float(thresholds[ok[0]])
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    # not rounded: rounding 0.99997 up to 1.0 put the threshold above every probability it was chosen to keep
    return float(thresholds[int(np.argmax(f1))])


def _binary_score(task: str, y, prob) -> float:
    if task == "product_feedback":
        return float(average_precision_score(y, prob))
    t = choose_threshold(y, prob, None)
    return float(f1_score(y, prob >= t))


def select_binary(task: str, options: dict[str, HeadData], blocks, idf: HashedTfidf, log) -> dict:
    """Pick the training option and C by grouped CV on dev; calibrate and threshold out of fold."""
    best: dict | None = None
    for option, data in options.items():
        X, y, groups, scored = data.design(blocks, idf), data.y, data.groups, data.scored
        for C in CS:
            decision = _oof_decisions(X, y, groups, C)
            score = _binary_score(task, y[scored], decision[scored])
            if best is None or score > best["cv_score"]:
                best = {"option": option, "C": C, "cv_score": round(score, 4), "decision": decision[scored],
                        "y": y[scored]}
    assert best is not None
    a, b = _platt(best["decision"], best["y"])
    prob = _sigmoid(a * best.pop("decision") + b)
    y = best.pop("y")
    best["calibration"] = (round(a, 6), round(b, 6))
    best["threshold"] = choose_threshold(y, prob, ROUTING_PRECISION.get(task))
    best["dev_oof"] = {"f1": round(float(f1_score(y, prob >= best["threshold"])), 4),
                       "ece": round(ev.expected_calibration_error(y, prob), 4), "n": int(len(y)),
                       "positives": int(y.sum())}
    log(f"  {task}: {best['option']}, C {best['C']}, threshold {best['threshold']}, dev {best['dev_oof']}")
    return best


def select_multiclass(options: dict[str, HeadData], blocks, idf: HashedTfidf, metric: str, log, task: str) -> dict:
    best: dict | None = None
    for option, data in options.items():
        X, y, groups, scored = data.design(blocks, idf), data.y, data.groups, data.scored
        for C in SENTIMENT_CS:
            decision = _oof_decisions(X, y, groups, C)
            predicted = decision[scored].argmax(axis=1)
            score = (recall_score(y[scored], predicted, average="macro") if metric == "macro_recall"
                     else float(np.mean(y[scored] == predicted)))
            if best is None or score > best["cv_score"]:
                best = {"option": option, "C": C, "cv_score": round(float(score), 4)}
    assert best is not None
    log(f"  {task}: {best['option']}, C {best['C']}, dev {metric} {best['cv_score']}")
    return best


@dataclass
class Corpora:
    labelled: pd.DataFrame
    complaints: pd.DataFrame
    tweeteval: pd.DataFrame
    germeval: pd.DataFrame
    second: pd.DataFrame | None
    missing_text: int


def load_corpora(data_dir: Path, labelled: Path) -> Corpora:
    lab = load_labelled(labelled, data_dir)
    frame = pd.DataFrame([p.__dict__ for p in lab.posts])
    complaints = pd.read_csv(data_dir / "complaints" / "train.csv", dtype={"tweet_id": str})
    complaints["conversation"] = "complaints:" + complaints.tweet_id
    tweeteval = pd.read_csv(data_dir / "tweeteval_sentiment" / "val.csv")
    tweeteval["conversation"] = [f"tweeteval:{i}" for i in range(len(tweeteval))]
    germeval = pd.read_csv(data_dir / "germeval2017" / "dev.csv", keep_default_na=False)
    germeval["conversation"] = [f"germeval:{i}" for i in range(len(germeval))]
    germeval = germeval[germeval.text.str.strip() != "null"].reset_index(drop=True)
    germeval["complaint"] = ((germeval.relevant.astype(str).str.lower() == "true")
                             & (germeval.sentiment == "negative")).astype(int)
    germeval["label"] = germeval.sentiment.map({s: i for i, s in enumerate(SENTIMENTS)})
    second_path = labelled.with_name("intent_labels_second.csv")
    second = pd.read_csv(second_path, keep_default_na=False) if second_path.exists() else None
    return Corpora(frame, complaints, tweeteval, germeval, second, lab.missing_text)


def _dev(texts: TextSet, y: np.ndarray, keep: np.ndarray | None = None) -> Part:
    rows = np.flatnonzero((texts.split == "dev") & (keep if keep is not None else True))
    return Part(texts, rows, np.asarray(y)[rows])


def _idf(parts: list[Part]) -> HashedTfidf:
    return HashedTfidf.fit_counts(sp.vstack([p.texts.counts[p.rows] for p in parts]).tocsr())


def train_and_evaluate(data_dir: Path, labelled: Path, variant: str = "fast", out: Path | None = None,
                       log=print) -> dict:
    """Choose and fit every head on dev, measure on test; write the bundle to ``out`` if given."""
    use = variant == "accurate"
    started = time.perf_counter()
    corpora = load_corpora(data_dir, labelled)
    lab = corpora.labelled
    # v1-sample posts in the test split are left out of everything: the previous model was tuned on them.
    lab = lab[~((lab["sample"] == "v1") & (lab.split == "test"))].reset_index(drop=True)
    log("computing features ...")
    sets: dict[str, TextSet] = {}
    frames: dict[str, pd.DataFrame] = {}
    for lang in ("en", "de"):
        frames[f"lab-{lang}"] = lab[lab.lang == lang].reset_index(drop=True)
    in_lab = set(lab.id)
    frames["acl"] = corpora.complaints
    frames["tweeteval"] = corpora.tweeteval
    frames["germeval"] = corpora.germeval
    for name, frame in frames.items():
        lang = "de" if name in ("lab-de", "germeval") else "en"
        sets[name] = TextSet.build(name, lang, frame.text.tolist(), frame.conversation.tolist(), use)

    acl_extra = ~frames["acl"].conversation.isin(in_lab)  # ACL rows not already among the labelled posts
    ge_extra = ~frames["germeval"].conversation.isin(in_lab)
    bundle = ModelBundle(FAST if not use else ACCURATE, variant, f"{__version__}-{dt.date.today():%Y%m%d}",
                         block_scale={k: v for k, v in BLOCK_SCALE.items() if use or k != "use"},
                         meta={"format": 2})
    report: dict = {"variant": variant, "format": 2, "selection": {}, "test": {}}
    for lang in ("en", "de"):
        log(f"choosing and fitting the {lang.upper()} heads on dev ...")
        blocks = blocks_for(lang, use)
        # One IDF per language, from every dev text of that language (unsupervised; test unseen).
        idf = _idf([_dev(t, np.zeros(len(t.raw))) for t in sets.values() if t.lang == lang])
        bundle.featurizers[lang] = idf
        labset = sets[f"lab-{lang}"]
        lf = frames[f"lab-{lang}"]
        options: dict[str, dict[str, HeadData]] = {}
        for task in INTENTS:
            own = _dev(labset, lf[task].to_numpy())
            options[task] = {"labelled": HeadData([own])}
        if lang == "en":
            options["complaint"]["labelled+acl"] = HeadData(
                [_dev(labset, lf.complaint.to_numpy()), _dev(sets["acl"], frames["acl"].label.to_numpy(),
                                                             acl_extra.to_numpy())])
            te = HeadData([_dev(sets["tweeteval"], frames["tweeteval"].label.to_numpy())])
            has_sentiment = lf.sentiment.notna().to_numpy() & (lf.sentiment.astype(str) != "None")
            lab_sent = lf.sentiment.map({s: i for i, s in enumerate(SENTIMENTS)}).fillna(-1).astype(int).to_numpy()
            options["sentiment"] = {"tweeteval": te, "tweeteval+labelled": HeadData(
                te.parts + [_dev(labset, lab_sent, has_sentiment)])}
        else:
            options["complaint"]["labelled+germeval-weak"] = HeadData(
                [_dev(labset, lf.complaint.to_numpy()), _dev(sets["germeval"], frames["germeval"].complaint.to_numpy(),
                                                             ge_extra.to_numpy())])
            options["sentiment"] = {"germeval": HeadData([_dev(sets["germeval"], frames["germeval"].label.to_numpy())])}
        for task, task_options in options.items():
            sentiment = task == "sentiment"
            chosen = (select_multiclass(task_options, blocks, idf, "macro_recall" if lang == "en" else "accuracy",
                                        log, f"sentiment:{lang}") if sentiment
                      else select_binary(task, task_options, blocks, idf, log))
            data = task_options[chosen["option"]]
            model = _fit(data.design(blocks, idf), data.y, chosen["C"])
            head = LinearHead(f"{task}:{lang}", list(SENTIMENTS) if sentiment else ["no", "yes"], blocks,
                              model.coef_.astype(np.float32), model.intercept_.astype(np.float32),
                              chosen.get("threshold", 0.5), chosen.get("calibration"), ovr=sentiment)
            bundle.heads[head.name] = head
            report["selection"][f"{task}:{lang}"] = chosen

    log("measuring on the test split ...")
    classifier = Classifier(bundle) if not use else _unchecked(bundle)
    report["test"] = measure(classifier, lab, frames, log)
    topics_dir = labelled.resolve().parent.parent / "topics"
    if (topics_dir / "topic_labels.csv").exists():
        from .topic_eval import measure_topics

        log("measuring topic rules by description against keyword rules ...")
        report["topics"] = measure_topics(topics_dir, log)
    report["agreement"] = agreement(corpora)
    report["counts"] = _counts(corpora, lab)
    report["seconds"] = round(time.perf_counter() - started, 1)
    bundle.meta = {"format": 2, "trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                   "evaluation": report}
    if out is not None:
        bundle.save(out)
        log(f"wrote {out / bundle.name}.npz and .json")
    return report


def _cue_flags(texts: list[str]) -> dict[str, np.ndarray]:
    cues = cue_features(texts)
    return {task: np.any([cues[:, CUE_NAMES.index(c)] > 0 for c in names], axis=0)
            for task, names in BASELINE_CUES.items()}


def _previous() -> Classifier | None:
    try:
        return Classifier.load("fast-v1")
    except Exception:  # noqa: BLE001 - the previous bundle is optional for a figure beside the new one
        return None


def measure(classifier: Classifier, lab: pd.DataFrame, frames: dict[str, pd.DataFrame], log) -> dict:
    """Every test figure: the model, the cue rule / keyword baseline, the previous model, the majority."""
    previous = _previous()
    out: dict = {"intents": {}, "corpora": {}, "language": {}}
    test = lab[lab.split == "test"].reset_index(drop=True)
    texts = test.text.tolist()
    p_new = classifier.predict(texts)
    p_old = previous.predict(texts) if previous else None
    rule = _cue_flags(texts)
    subsets = {"all": np.ones(len(test), bool), "first_turns": (test.turn == "first").to_numpy()}
    for lang in ("en", "de"):
        in_lang = (test.lang == lang).to_numpy()
        for subset, mask in subsets.items():
            rows = in_lang & mask
            if not rows.any():
                continue
            groups = test.conversation.to_numpy()[rows]
            key = f"{lang}:{subset}"
            block: dict = {}
            ys, preds = {}, {"model": {}, "rule": {}, "previous": {}}
            for task in INTENTS:
                y = test[task].to_numpy()[rows]
                prob = p_new.intent_prob[task][rows]
                flags = p_new.flags(task)[rows]
                block[task] = {"model": ev.binary_figures(y, flags, groups, prob),
                               "rule": ev.binary_figures(y, rule[task][rows], groups)}
                if task == "product_feedback" and y.sum():
                    block[task]["model"]["precision_at_recall_0.5"] = _precision_at_recall(y, prob, 0.5)
                if subset == "all":
                    block[task]["reliability"] = ev.reliability(y, prob)
                ys[task] = y
                preds["model"][task], preds["rule"][task] = flags, rule[task][rows]
                if p_old is not None:
                    block[task]["previous"] = ev.binary_figures(y, p_old.flags(task)[rows], groups,
                                                                p_old.intent_prob[task][rows])
                    preds["previous"][task] = p_old.flags(task)[rows]
            three = ("question", "complaint", "product_feedback")
            block["macro_f1_3"] = {who: ev.macro_f1_figures({k: ys[k] for k in three},
                                                            {k: p[k] for k in three}, groups)
                                   for who, p in preds.items() if p}
            if lang == "en" and subset == "all":
                has = test.sentiment.notna().to_numpy()[rows] & (test.sentiment.astype(str) != "None").to_numpy()[rows]
                if has.any():
                    y = test.sentiment.to_numpy()[rows][has]
                    block["sentiment"] = {
                        "model": ev.multiclass_figures(y, np.array(p_new.sentiment)[rows][has], groups[has],
                                                       "macro_recall"),
                        "majority": ev.multiclass_figures(y, np.full(len(y), "neutral"), groups[has],
                                                          "macro_recall")}
                    if p_old is not None:
                        block["sentiment"]["previous"] = ev.multiclass_figures(
                            y, np.array(p_old.sentiment)[rows][has], groups[has], "macro_recall")
            out["intents"][key] = block
        detected = np.array(p_new.lang)[in_lang]
        out["language"][lang] = {"accuracy": float(np.mean(detected == lang)), "n": int(in_lang.sum())}

    log("  the public corpora's test parts ...")
    for name, task, metric, note in (
            ("acl", "complaint", "macro_f1", "v1 was trained on all of it: its figure here is not a test figure"),
            ("tweeteval", "sentiment", "macro_recall", "v1 was trained on all of it"),
            ("germeval", "sentiment", "accuracy", "v1 was trained on all but 160 documents")):
        frame = frames[name]
        split = np.array([split_of(c) for c in frame.conversation], dtype=object)
        rows = np.flatnonzero(split == "test")
        part = frame.iloc[rows]
        groups = part.conversation.to_numpy()
        p = classifier.predict(part.text.tolist())
        if task == "complaint":
            y = part.label.to_numpy()
            figures = {"model": ev.multiclass_figures(y, p.flags("complaint").astype(int), groups, metric),
                       "rule": ev.multiclass_figures(y, _cue_flags(part.text.tolist())["complaint"].astype(int),
                                                     groups, metric)}
        else:
            y = np.array(SENTIMENTS)[part.label.to_numpy()]
            majority = pd.Series(y).mode()[0]
            figures = {"model": ev.multiclass_figures(y, np.array(p.sentiment), groups, metric),
                       "majority": ev.multiclass_figures(y, np.full(len(y), majority), groups, metric)}
        figures["note"] = note
        out["corpora"][name] = figures
    return out


def _precision_at_recall(y, prob, recall: float) -> float:
    precision, rec, _ = precision_recall_curve(y, prob)
    ok = rec >= recall
    return float(precision[ok].max()) if ok.any() else 0.0


def agreement(corpora: Corpora) -> dict:
    """Cohen's kappa per label between the first labels and the independent second labelling."""
    if corpora.second is None:
        return {}
    first = corpora.labelled.set_index("id")
    second = corpora.second[corpora.second.id.isin(first.index)]
    out = {"n": int(len(second)), "n_de": int(second.id.str.startswith("germeval:").sum())}
    for label in (*INTENTS, "sentiment"):
        a = first.loc[second.id, label].astype(str).tolist()
        b = second[label].astype(str).tolist()
        out[label] = {"kappa": round(cohens_kappa(a, b), 3),
                      "agreement": round(float(np.mean(np.array(a) == np.array(b))), 3)}
    return out


def _counts(corpora: Corpora, used: pd.DataFrame) -> dict:
    lab = corpora.labelled
    out = {"labelled": int(len(lab)), "missing_text": corpora.missing_text}
    for lang in ("en", "de"):
        for split in ("dev", "test"):
            rows = used[(used.lang == lang) & (used.split == split)]
            out[f"{lang}_{split}"] = {"posts": int(len(rows)), **{k: int(rows[k].sum()) for k in INTENTS}}
        out[f"{lang}_total"] = int((lab.lang == lang).sum())
    out["sources"] = {s: int(n) for s, n in lab.source.value_counts().items()}
    out["brands"] = int(lab.brand.nunique())
    return out


def evaluate(data_dir: Path, labelled: Path, variant: str = "fast", log=print) -> dict:
    """Reproduce the model card's figures (trains in memory, writes nothing)."""
    return train_and_evaluate(data_dir, labelled, variant, out=None, log=log)


def _unchecked(bundle: ModelBundle) -> Classifier:
    classifier = Classifier.__new__(Classifier)
    classifier.bundle = bundle
    return classifier


__all__ = ["train_and_evaluate", "evaluate", "choose_threshold", "blocks_for"]
