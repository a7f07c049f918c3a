"""How an offer's reviews rank it: the Bayesian average.

Kept in the catalogue because search sorts by it; the reviews app, which writes the plain
average and count onto each offer, uses the same formula from here."""

from __future__ import annotations

from decimal import Decimal

# The prior: an offer with no reviews scores 3.5, and counts as if it had 5 reviews of 3.5.
# One 5-star review then scores 3.75; fifty reviews averaging 4.6 score 4.50.
RATING_PRIOR_MEAN = Decimal("3.5")
RATING_PRIOR_WEIGHT = 5


def bayesian_rating(average, count, prior_mean=RATING_PRIOR_MEAN, prior_weight=RATING_PRIOR_WEIGHT):
    """The average pulled towards prior_mean as if prior_weight reviews of prior_mean had been
    added: (prior_weight * prior_mean + count * average) / (prior_weight + count).

    Works on Decimals, floats and numpy arrays alike (search can apply it to its columns).
    With no reviews (count 0, average None) it is the prior mean."""
    if average is None:
        return prior_mean
    if isinstance(average, Decimal) or isinstance(prior_mean, Decimal):
        average, prior_mean = Decimal(str(average)), Decimal(str(prior_mean))
        count, prior_weight = Decimal(count), Decimal(prior_weight)
    return (prior_weight * prior_mean + count * average) / (prior_weight + count)
