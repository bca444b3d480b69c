"""Views of reach, one module per subject."""
