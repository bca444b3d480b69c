"""The detectors of coordinated behaviour: pure functions over arrays, no database, so that the
periodic job (`integrity.actions.detection`) and the benchmark (`bench/integrity.py`) run the same code.

- `findings`: what every detector returns (members, evidence, the facts its explanation is made of).
- `minhash`: character shingles, MinHash signatures and LSH band keys, one text or many in one pass.
- `band_index`: a compact index of band keys (posts checked in micro-batches or one at a time, or rebuilt).
- `near_duplicates`: posts and comments copied across accounts, with light paraphrase: the index of
  texts and signatures the job checks new texts against, links, and groups of links.
- `synchronised`: many accounts doing the same thing to the same items within seconds.
- `fingerprints`: signups sharing a network, browser family and email shape within a short time.
- `dense`: densely linked groups of accounts that no trust reaches.
"""
