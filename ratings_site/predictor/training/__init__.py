"""Training heads on the ratings: the work behind `manage.py train_predictor`, in four parts.

- `data`: the training set. Every image (not hidden, not a captcha) with at least MIN_RATINGS_FOR_TRAINING
  counted ratings (ratings.counting: `Rating.counts`), its target the mean of those ratings computed here from the
  ratings themselves (not from the image's counters), optionally weighted by each rater's reliability
  (reliability.weights), and its stored CLIP embedding; the seeded split into training and validation images.
- `pairs`: pairs of images one rater ordered. Same-rater pairs of validation images (two different ratings); the
  raters' best-of picks of dataset prompt groups (bestof.ImagePreference) and of rated generation sets
  (generations.Preference, their images embedded by `manage.py embed_generations` into GenerationEmbedding),
  split into pairs to train on (`--pairs`) and held-out pairs to measure on. Only pairs of raters who count.
- `fitting`: fitting one head or a bootstrap ensemble: `ridge` (least squares in closed form, the penalty by
  leave-one-out; with pairs, Newton's method on the same squares plus a Bradley–Terry loss) or `adam` (MSE, plus
  the Bradley–Terry loss on pairs, by Adam's epochs).
- `evaluation`: the figures a head is judged by (numpy only): MSE, Pearson, held-out Spearman, pair accuracy.
- `run`: one run: train, measure the new head and the current version's side by side on the same held-out images
  and pairs, and decide whether the new head is better (`--save-if-better`).
- `saving`: writing the head (and ensemble) and registering it as the current PredictorVersion.

`data`, `pairs` and `evaluation` do not import torch; `fitting`, `run` and `saving` do. The web process imports
none of them (tests/test_predictor_not_imported_by_web.py). This package's own `__init__` imports nothing.
"""
