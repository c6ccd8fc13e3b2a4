"""``ctc compare``: what changed between survey waves, and trends over many.

Library modules, by topic:

* :mod:`.aggregate` — one municipality's stacked (all waves) design reduced to unit × cell sums;
* :mod:`.difference` — two-wave differences with their design-based SE and test;
* :mod:`.trend` — design-based logistic trend models over three or more waves;
* :mod:`.effects` — effect sizes and the plain verdict;
* :mod:`.comparable` — which indicators two instrument versions measure the same way;
* :mod:`.inputs` — reading one file with a wave column or one file per wave;
* :mod:`.tables` — the published tables (per-wave cells protected as the profile's);
* :mod:`.html` — the per-municipality ``changes.html``;
* :mod:`.run` — the whole job with atomic output.
"""
