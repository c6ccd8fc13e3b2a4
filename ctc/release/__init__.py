"""The release step: everything a run publishes is protected, audited and written here.

* :mod:`ctc.release.protect` — primary and secondary suppression of the profile and
  screening tables with the audit gate;
* :mod:`ctc.release.network` — the attacker's intervals and the network suppression;
* :mod:`ctc.release.cells` — which cells are published, as lines of a network;
* :mod:`ctc.release.csvsafe` — CSV files that a spreadsheet cannot evaluate.
"""
