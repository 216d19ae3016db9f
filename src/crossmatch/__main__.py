import sys

from crossmatch.cli import main

sys.exit(main())
