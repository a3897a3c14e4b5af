# util: ePython's modules/util.py. range() itself is the Python builtin (deviation D1:
# half-open, as Python), available with or without this import.
from array import *

def xrange(a, b=none):
    if b is none:
        return range(a)
    return range(a, b)

# In-place odd-even transposition sort of the first `length` elements (all by default).
def oddSort(x, length=none):
    n = 0
    if length is none:
        n = len(x)
    else:
        n = length
    sorted = false
    while not sorted:
        sorted = true
        start = 0
        while start < 2:
            i = start
            while i + 1 < n:
                if x[i] > x[i + 1]:
                    t = x[i]
                    x[i] = x[i + 1]
                    x[i + 1] = t
                    sorted = false
                i += 2
            start += 1
