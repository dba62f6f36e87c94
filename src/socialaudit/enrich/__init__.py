"""Enrichment: language, intent and sentiment of posts, by offline classifiers shipped with the package.

``Classifier.load("fast")`` loads the default model (hashed n-grams, VADER's lexicon, cue features,
linear heads; no download, no GPU); ``Classifier.load("accurate")`` adds multilingual
sentence embeddings from the optional ``socialaudit[nlp-accurate]`` extra.  See
``models/MODEL_CARD.md`` for what they were trained on and how well they do.
"""
