"""Language identification with py3langid (langid.py's model, bundled in the wheel, BSD).

Short posts ("ok thx", a bare link) carry too little text for a 97-language model; when
its best guess is weaker than :data:`MIN_CONFIDENCE`, the post is assigned to the more
likely of the languages socialaudit has models for (English, German), and its
probability says how sure that is.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

MODEL_LANGUAGES = ("en", "de")
MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=2)
def _identifier(restricted: bool):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if restricted:
        identifier.set_languages(list(MODEL_LANGUAGES))
    return identifier


def identify(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """ISO 639-1 codes and their probabilities (``und`` for empty texts)."""
    full, restricted = _identifier(False), _identifier(True)
    langs: list[str] = []
    probs = np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        if not text or not text.strip():
            langs.append("und")
            continue
        lang, prob = full.classify(text)
        if prob < MIN_CONFIDENCE:
            lang, prob = restricted.classify(text)
        langs.append(lang)
        probs[i] = prob
    return langs, probs
