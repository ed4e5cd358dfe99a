"""``python -m bench``: the command line (``bench.cli.parser``).

When a command returns, everything it wrote is saved and closed. The process then runs the exit
handlers the interpreter would run first (``atexit``: multiprocessing's clean-up of its queues and
semaphores, logging's flush, Dask's) and ends without Python's interpreter finalization, which
takes a second or more once torch is loaded (clearing hundreds of thousands of objects for
nothing). An exception still ends the normal way, with its traceback.
"""

import atexit
import os
import sys

from bench.cli.parser import main

code = main()
atexit._run_exitfuncs()  # the interpreter's own first step of shutting down
sys.stdout.flush()
sys.stderr.flush()
os._exit(code if isinstance(code, int) else 1)
