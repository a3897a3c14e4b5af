#!/usr/bin/env python3
"""Derives the expected output of a single-core test program from CPython.

Used to write tests/programs/*.out for programs in the common subset of ePython and Python 3
(print(x) with one argument, no int `/`, no 32-bit overflow, floats exact in binary32): CPython
runs the program with ePython's output formats (spec §9: `%d`, `%f`, true/false, NONE, lists as
`[a, b]`). The result is an independent oracle, not epyc's own output.

    scripts/derive_expected.py tests/programs/strings.py > tests/programs/strings.out
"""
import builtins
import sys


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return "%d" % v
    if isinstance(v, float):
        return "%f" % v
    if v is None:
        return "NONE"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(e) for e in v) + "]"
    return builtins.str(v)


def main(path):
    lines = []
    env = {
        "print": lambda v="": lines.append("[device 0] " + fmt(v)),
        "str": fmt,
        "range": lambda *a: list(builtins.range(*a)),
    }
    src = open(path).read()
    # ePython strings have no escape processing: keep backslashes literally.
    src = src.replace("\\", "\\\\")
    exec(compile(src, path, "exec"), env)
    sys.stdout.write("".join(l + "\n" for l in lines))


if __name__ == "__main__":
    main(sys.argv[1])
