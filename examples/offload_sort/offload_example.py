# @epython.offload from a plain `python3` (see README.md for the set-up): the decorated
# function's body is ePython, compiled by epyc on the first call and run on 16 simulated
# Epiphany cores (target="host" would run it on host virtual cores).
import random

import epython


@epython.offload(cores=16)
def sum_of_squares(data, n):
    # Each core takes every numcores()-th element; core 0 adds up the partial sums.
    me = coreid()
    total = 0
    i = me
    while i < n:
        total += data[i] * data[i]
        i += numcores()
    if me == 0:
        c = 1
        while c < numcores():
            total += recv(c)
            c += 1
    else:
        send(total, 0)
    return total


data = [random.randint(0, 100) for _ in range(5000)]
on_cores = sum_of_squares(data, len(data))
print("sum of squares on the cores: %d" % on_cores)
print("sum of squares in CPython:   %d" % sum(v * v for v in data))
print("compiled signatures: %r" % sum_of_squares.signatures)
