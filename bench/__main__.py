"""``python -m bench``: the command line (``bench.cli.parser``).

When a command returns, everything it wrote is saved, closed and flushed; the process then ends
without Python's interpreter finalization, which takes a second or more once torch is loaded
(clearing hundreds of thousands of objects for nothing). Only the exit code is lost otherwise,
so it is passed on. An exception still ends the normal way, with its traceback.
"""

import logging
import os
import sys

from bench.cli.parser import main

code = main()
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code if isinstance(code, int) else 1)
