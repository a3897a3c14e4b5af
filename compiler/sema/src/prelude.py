# Built-in prelude of epyc-sema (not a module users import): Python builtins that need a body.
# `range(...)` used as a value (not as the iterable of a `for`) makes a real list (D1: half-open,
# negative steps as Python).

def __range_list(start, stop, step):
    if step == 0:
        __raise_range_step_zero()
    n = 0
    if step > 0:
        if stop > start:
            n = (stop - start + step - 1) // step
    else:
        if start > stop:
            n = (start - stop - step - 1) // (0 - step)
    r = [0] * n
    i = 0
    v = start
    while i < n:
        r[i] = v
        v += step
        i += 1
    return r
