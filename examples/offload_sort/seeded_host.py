# Listing 6 with a fixed seed, so its output can be compared with a golden file
# (expected_seed2016.out, written by CPython's own sorted() of the same numbers).
import os
import random
import runpy

random.seed(2016)
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "host.py"))
