"""Writes of integrity.

- `reputation`: recompute every supporter's trust score from the trust graph.
- `fingerprints`: record a signup's salted fingerprint; purge the ones past their retention.
- `clusters`: file a detector's finding as a proposed cluster; staff confirm or dismiss it.
- `near_duplicates`: sign new posts and comments, check them against the index the worker holds, store links.
- `detection`: run the detectors over recent activity and file what they find.
"""
