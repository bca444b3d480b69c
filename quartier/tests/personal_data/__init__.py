"""Personal data factories for the export and erasure tests: `registry.py` holds every source's
factory (`FACTORIES`); `common.py` the shared `People` and `Factory`; one module per app the rest."""
