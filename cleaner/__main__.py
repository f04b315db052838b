"""`python -m cleaner` runs the command line."""

import sys

from cleaner.cli.main import main

sys.exit(main())
