"""Stopping guidance: records since the last include, and the decay-fit estimate of includes still unseen,
checked on screening sequences simulated here with a known include rate."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.triage.stopping import estimate_unseen, guidance_line, since_last_include


@pytest.mark.parametrize(("decisions", "expected"), [
    ([], 0), ([0, 0, 0], 3), ([1], 0), ([1, 0, 0], 2), ([0, 1, 0, 1, 0, 0, 0, 0], 4),
])
def test_records_screened_since_the_last_include(decisions: list[int], expected: int) -> None:
    assert since_last_include(decisions) == expected


def _simulated(a: float, b: float, screened: int, draws: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates, true unseen includes and the naive rate-times-records-left figure over ``draws`` screening
    orders of 2,000 records drawn with an include chance p(k) = a exp(-b k) at position k."""
    rng = np.random.default_rng(7)
    total = 2000
    chance = a * np.exp(-b * np.arange(total))
    estimates, truths, naive = [], [], []
    for _ in range(draws):
        sequence = (rng.random(total) < chance).astype(int)
        estimate = estimate_unseen(sequence[:screened].tolist(), total - screened)
        assert estimate is not None and estimate.method == "decay-fit"
        estimates.append(estimate.unseen)
        truths.append(int(sequence[screened:].sum()))
        naive.append(sequence[:screened].mean() * (total - screened))
    return np.array(estimates), np.array(truths), np.array(naive)


@pytest.mark.parametrize(("a", "b", "screened"), [(0.5, 0.01, 300), (0.3, 0.003, 800)])
def test_once_the_include_rate_has_clearly_fallen_the_estimate_is_close_to_the_truth(
        a: float, b: float, screened: int) -> None:
    """b * screened >= 2 (the rate has fallen below a seventh of its start): the mean estimate is within
    25 % of the expected number of includes left (what it estimates; the drawn counts scatter around it),
    and within 35 % of the mean drawn count."""
    estimates, truths, naive = _simulated(a, b, screened)
    expected = float((a * np.exp(-b * np.arange(screened, 2000))).sum())
    assert abs(estimates.mean() - expected) <= 0.25 * expected, (estimates.mean(), expected)
    assert abs(estimates.mean() - truths.mean()) <= max(0.35 * truths.mean(), 1.5), (estimates.mean(), truths.mean())
    assert np.abs(estimates - truths).mean() < np.abs(naive - truths).mean() / 3


@pytest.mark.parametrize(("a", "b", "screened"), [(0.5, 0.01, 150), (0.3, 0.003, 400)])
def test_early_on_the_estimate_leans_high_never_far_low(a: float, b: float, screened: int) -> None:
    """Before the curve has bent much (b * screened about 1.2-1.5) the fitted tail is uncertain: measured, the
    mean estimate runs up to about 70 % high; it is not more than 25 % low, and far nearer than the naive
    figure (the include rate so far times the records left)."""
    estimates, truths, naive = _simulated(a, b, screened)
    assert 0.75 * truths.mean() <= estimates.mean() <= 2.0 * truths.mean(), (estimates.mean(), truths.mean())
    assert np.abs(estimates - truths).mean() < np.abs(naive - truths).mean() / 3


@pytest.mark.parametrize(("decisions", "remaining"), [([1, 0] * 5, 100), ([0] * 40, 100), ([1] + [0] * 30, 50)])
def test_no_estimate_before_enough_decisions_and_includes(decisions: list[int], remaining: int) -> None:
    assert estimate_unseen(decisions, remaining) is None
    assert "too early to estimate" in guidance_line(decisions, remaining)


def test_the_estimate_never_exceeds_the_records_left() -> None:
    estimate = estimate_unseen([1] * 30, 5)
    assert estimate is not None and 0 <= estimate.unseen <= 5


def test_a_dry_run_of_excludes_lowers_the_estimate() -> None:
    early = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0] * 3
    estimate_now = estimate_unseen(early, 500)
    estimate_later = estimate_unseen(early + [0] * 200, 300)
    assert estimate_now is not None and estimate_later is not None
    assert estimate_later.unseen < estimate_now.unseen
    assert guidance_line(early + [0] * 200, 300).startswith("201 screened since the last include; about ")


def test_before_the_include_rate_falls_the_guidance_says_it_is_too_early() -> None:
    flat = [1, 0, 0] * 20  # a steady third: nothing to extrapolate a decline from
    estimate = estimate_unseen(flat, 1000)
    assert estimate is not None and not estimate.settled
    assert "the include rate has not fallen yet" in guidance_line(flat, 1000)
