"""Integrity's models, one module per subject (each imported here)."""
