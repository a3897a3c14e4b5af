"""@epython.offload: compiled by epyc on first call, run on the cores, arguments and result
carried over (needs the epyc binary: $EPYC, PATH or target/release). Every test runs on the
simulated device cores (the default) and on host virtual cores (target="host")."""

import inspect
import os
import tempfile
import unittest

import epython
from epython import EpythonError, offload

# The kernels are plain functions here, offloaded per target by the test classes below.


def block_sum(data, n):
    # Every core sums its stride; core 0 gathers the partial sums and returns the total.
    me = coreid()
    s = 0
    i = me
    while i < n:
        s += data[i]
        i += numcores()
    if me == 0:
        c = 1
        while c < numcores():
            s += recv(c)
            c += 1
    else:
        send(s, 0)
    return s


def scale(values, factor):
    # In place, like a numba function writing into the array it was given.
    if coreid() == 0:
        i = 0
        while i < len(values):
            values[i] = values[i] * factor
            i += 1


def divide(a, b):
    if coreid() == 2:
        send(a // b, 0)
    if coreid() == 0:
        return recv(2)
    return 0


def where_am_i(x):
    # 1 on an Epiphany core, 0 on a host virtual core; every core prints its id.
    print(coreid())
    if isdevice():
        return 1
    return 0


class OffloadOnDeviceTest(unittest.TestCase):
    target = "device"

    def offloaded(self, fn, cores):
        return offload(fn, cores=cores, target=self.target)

    def test_result_comes_back(self):
        f = self.offloaded(block_sum, 4)
        data = list(range(1000))
        self.assertEqual(f(data, len(data)), sum(data))
        # Same signature: the running kernel is reused.
        self.assertEqual(f(list(range(1000, 2000)), 1000), sum(range(1000, 2000)))
        self.assertEqual(len(f.signatures), 1)
        f.close()

    def test_floats_and_lists_in_place(self):
        f = self.offloaded(scale, 2)
        values = [1.5, 2.0, -3.25]
        self.assertIsNone(f(values, 2.0))
        self.assertEqual(values, [3.0, 4.0, -6.5])
        f.close()

    def test_core_error_names_core_and_user_line(self):
        f = self.offloaded(divide, 4)
        with self.assertRaises(EpythonError) as cm:
            f(1, 0)
        e = cm.exception
        self.assertEqual(e.core, 2)
        self.assertTrue(e.file.endswith("test_offload.py"), e.file)
        lines, first = inspect.getsourcelines(divide)
        self.assertEqual(e.line, first + 2)  # the `send(a // b, 0)` line
        self.assertIn("Division by zero", str(e))
        # After the failure the next call starts afresh.
        self.assertEqual(f(7, 2), 3)
        f.close()

    def test_runs_on_the_chosen_cores(self):
        # The cores' output goes to the inherited stdout: catch it in a file while epyc starts.
        f = self.offloaded(where_am_i, 3)
        with tempfile.TemporaryFile() as out:
            saved = os.dup(1)
            os.dup2(out.fileno(), 1)
            try:
                on_device = f(0)
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            f.close()  # epyc ends, its output is complete
            out.seek(0)
            lines = sorted(out.read().decode().splitlines())
        self.assertEqual(on_device, 1 if self.target == "device" else 0)
        self.assertEqual(lines, ["[%s %d] %d" % (self.target, c, c) for c in range(3)])


class OffloadOnHostTest(OffloadOnDeviceTest):
    target = "host"


class OffloadOptionsTest(unittest.TestCase):
    def test_bad_arguments(self):
        f = offload(block_sum, cores=2)
        with self.assertRaises(TypeError):
            f({"a": 1}, 1)

    def test_bad_target(self):
        with self.assertRaises(ValueError):
            offload(block_sum, target="gpu")

    def test_collectives_are_refused(self):
        with self.assertRaises(EpythonError):
            @offload(cores=2)
            def uses_reduce(x):
                return reduce(x, "sum")

    def test_module_api_is_complete(self):
        for name in ["send", "recv", "sendrecv", "bcast", "reduce", "sync", "coreid", "numcores", "ishost", "isdevice", "offload"]:
            self.assertTrue(callable(getattr(epython, name)), name)


if __name__ == "__main__":
    unittest.main()
