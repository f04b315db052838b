"""langdetect's language model, scored deterministically in one vectorised pass.

langdetect (a port of Shuyo's language-detection) identifies a language by multiplying, for
n-grams drawn at random from the text, the per-language probabilities of its shipped
profiles, in several random trials. This package reads those same profiles and those same
n-grams but sums the log-probabilities of *every* n-gram once, in numpy: the same naive-Bayes
model, without sampling noise, in a fraction of the time.

The pieces, each in its own module:

- `text`: langdetect's text preparation (URL and e-mail removal, Vietnamese normalisation,
  space folding, the "mostly non-Latin" rule) and its per-character normalisation, as arrays
  of code points;
- `ngrams`: the 1-3-gram features langdetect extracts (its word-start space and
  capital-word rules), as integer keys;
- `profiles`: the profiles as a dense matrix of smoothed log-probabilities;
- `detector`: `FastDetector`, which loads all that lazily and scores a text.
"""

from __future__ import annotations

from cleaner.langid.detector import FastDetector

__all__ = ["FastDetector"]
