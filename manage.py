#!/usr/bin/env python
from __future__ import annotations

import sys

from quartier.__main__ import main

if __name__ == "__main__":
    main(["manage", *sys.argv[1:]])
