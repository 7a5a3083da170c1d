"""Triage: rank new papers for a review and learn from include/exclude decisions.

``criteria`` (the review's TOML criteria: hard filter and ranking keywords),
``schema`` (the ``triage_`` tables' records and store, defined by ``extractor.store_triage``),
``features`` (TF-IDF plus extracted evidence), ``ranker`` (the active-learning
model), ``dedup`` (reversible merges of one paper from several sources),
``asreview`` (decision interchange with ASReview), ``simulate`` (replaying a
labelled dataset: WSS@95, recall at 10 %, recall curve) and ``session`` (the
screening loop the terminal view drives).
"""
