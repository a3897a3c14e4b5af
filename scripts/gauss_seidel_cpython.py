#!/usr/bin/env python3
"""The paper's listing 5 (Gauss-Seidel SOR, 1000 points) as serial CPython 3: the same
algorithm, arithmetic and order as examples/gauss_seidel.py on one core (reduce over one core
is the identity, there is no halo to swap). Floats are rounded to binary32 after every
operation, as ePython's and epyc's floats are, so both converge in the same number of
iterations; pass --double to use CPython's native doubles instead (faster, may differ in the
iteration count)."""
import math
import struct
import sys

DATA_SIZE = 1000
MAX_ITS = 10000
W = 1.3

if "--double" in sys.argv:
    def f32(x):
        return x
else:
    _pack = struct.Struct("f")

    def f32(x):
        return _pack.unpack(_pack.pack(x))[0]

W32 = f32(W)


def compute_norm(data, local_size, bnorm=None):
    tmpnorm = 0.0
    i = 1
    while i <= local_size:
        d = f32(f32(f32(data[i] * 2) - data[i - 1]) - data[i + 1])
        tmpnorm = f32(tmpnorm + f32(d * d))
        i += 1
    if bnorm is None:
        return f32(math.sqrt(tmpnorm))
    return f32(f32(math.sqrt(tmpnorm)) / bnorm)


def main():
    local_size = DATA_SIZE
    data = [0.0] * (local_size + 2)
    data[0] = 1.0
    data[local_size + 1] = 10.0
    bnorm = compute_norm(data, local_size)
    norm = 1.0
    its = 0
    one_minus_w = f32(1 - W32)
    half_w = f32(0.5 * W32)
    while norm >= f32(1e-3) and its < MAX_ITS:
        norm = compute_norm(data, local_size, bnorm)
        i = 1
        while i <= local_size:
            data[i] = f32(f32(one_minus_w * data[i]) + f32(half_w * f32(data[i - 1] + data[i + 1])))
            i += 1
        its += 1
    print("Completed in %d iterations, RNorm=%f" % (its, norm))


main()
