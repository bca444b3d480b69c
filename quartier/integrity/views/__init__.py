"""Views of integrity, one module per subject."""
