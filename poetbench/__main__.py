import sys

from poetbench.cli import main

sys.exit(main())
