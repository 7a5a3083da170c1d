"""The active-learning model: a linear classifier over the features, refitted as decisions arrive.

In the manner of ASReview's default (TF-IDF, a linear SVM, class-balanced sample
weights, the highest-scoring unseen record next), measured side by side with it in
``scripts/bench_triage.py``.

Regularisation (tfidf-svm@2): ASReview scales its sample weights to a mean of 1
(``mean_weight_one``); ours keep includes at weight 1, which regularises far more on
sets with few includes. With C = 0.11 that won on sets with about 1-2 % includes
(Appenzeller-Herzog, ACE inhibitors) and lost on Bannach-Brown (14 %) and Cohen ADHD;
``mean_weight_one`` reproduces ASReview's figures. C = 0.5 with our weights was chosen
on priors of seeds 100-102 (WSS@95 on those seeds, C = 0.11 -> 0.5: Appenzeller-Herzog
0.853 -> 0.827, Bannach-Brown 0.317 -> 0.412, ACE 0.806 -> 0.772, ADHD 0.500 -> 0.530,
Nagtegaal 0.726 -> 0.731; ASReview's weighting gave 0.813, 0.410, 0.751, 0.527, 0.730).
The same datasets serve for the reported seeds 0-2: there are no other labelled sets. ``kind="svm+logistic"`` averages the SVM's margin with a
logistic regression's log-odds (each standardised); it is slower and kept for
comparison. Decided "maybe" records are left out of training by the callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


@dataclass(frozen=True)
class RankerSettings:
    """Model settings; ``name`` is stored with each decision the ranking led to."""

    kind: str = "svm"  # "svm", "logistic" or "svm+logistic"
    svm_c: float = 0.5  # ASReview's is 0.11; chosen on seeds 100-102 (module docstring)
    logistic_c: float = 1.0
    exclude_weight_ratio: float = 9.8  # excludes weigh n_include / (ratio * n_exclude) each
    mean_weight_one: bool = False  # scale the weights to a mean of 1 (the loss then sums over records, not includes)
    name: str = "tfidf-svm@2"


def sample_weights(labels: np.ndarray, ratio: float, mean_one: bool = False) -> np.ndarray:
    """Includes weigh 1; all excludes together weigh the includes' total divided by ``ratio``.

    With ``mean_one`` the weights are then scaled to a mean of 1, so the data term of the
    loss grows with every record screened (not only with the includes) against the fixed
    regularisation.
    """
    n_include = int(labels.sum())
    n_exclude = len(labels) - n_include
    weights = np.ones(len(labels), dtype=float)
    if n_include and n_exclude:
        weights[labels == 0] = n_include / (ratio * n_exclude)
    if mean_one:
        weights *= len(weights) / weights.sum()
    return weights


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else values - values.mean()


class Ranker:
    """Fit on decided records, score the rest; ``scores`` is higher for likelier includes."""

    def __init__(self, settings: RankerSettings | None = None, seed: int = 0):
        self.settings = settings or RankerSettings()
        self.seed = seed
        self.models: list[object] = []

    def fit(self, features: csr_matrix, labels: np.ndarray) -> bool:
        """Refit on labelled rows; False (and no model) until both classes are present."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        labels = np.asarray(labels, dtype=int)
        if labels.min(initial=1) == labels.max(initial=0) or len(set(labels.tolist())) < 2:
            self.models = []
            return False
        weights = sample_weights(labels, self.settings.exclude_weight_ratio, self.settings.mean_weight_one)
        kinds = self.settings.kind.split("+")
        self.models = []
        if "svm" in kinds:
            self.models.append(LinearSVC(C=self.settings.svm_c, random_state=self.seed)
                               .fit(features, labels, sample_weight=weights))
        if "logistic" in kinds:
            self.models.append(LogisticRegression(C=self.settings.logistic_c, solver="liblinear",
                                                  random_state=self.seed)
                               .fit(features, labels, sample_weight=weights))
        return True

    @property
    def fitted(self) -> bool:
        return bool(self.models)

    def scores(self, features: csr_matrix) -> np.ndarray:
        """A relevance score per row (the mean of each model's standardised decision value)."""
        if not self.models:
            raise RuntimeError("the ranker is not fitted yet (it needs an include and an exclude)")
        values = [_standardised(np.asarray(model.decision_function(features), dtype=float))  # type: ignore[attr-defined]
                  for model in self.models]
        return np.mean(values, axis=0) if len(values) > 1 else values[0]
