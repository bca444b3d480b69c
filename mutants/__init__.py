"""Deliberate one-line bugs in the critical paths, and a runner that checks the tests catch each one.

`make mutants` (or `python -m mutants`) applies each bug of `mutants/bugs.py` in turn, runs the tests
listed for it, puts the file back and prints which bugs the tests caught. See docs/mutants.md.
"""
