"""`python -m poetbench.cli`, as `python -m poetbench`."""

import sys

from poetbench.cli import main

sys.exit(main())
