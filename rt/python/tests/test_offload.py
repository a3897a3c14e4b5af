"""@epython.offload: compiled by epyc on first call, run on the cores, arguments and result
carried over (needs the epyc binary: $EPYC, PATH or target/release)."""

import unittest

import epython
from epython import EpythonError, offload


@offload(cores=4)
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


@offload(cores=2)
def scale(values, factor):
    # In place, like a numba function writing into the array it was given.
    if coreid() == 0:
        i = 0
        while i < len(values):
            values[i] = values[i] * factor
            i += 1


@offload(cores=4)
def divide(a, b):
    if coreid() == 2:
        send(a // b, 0)
    if coreid() == 0:
        return recv(2)
    return 0


class OffloadTest(unittest.TestCase):
    def test_result_comes_back(self):
        data = list(range(1000))
        self.assertEqual(block_sum(data, len(data)), sum(data))
        # Same signature: the running kernel is reused.
        self.assertEqual(block_sum(list(range(1000, 2000)), 1000), sum(range(1000, 2000)))
        self.assertEqual(len(block_sum.signatures), 1)

    def test_floats_and_lists_in_place(self):
        values = [1.5, 2.0, -3.25]
        self.assertIsNone(scale(values, 2.0))
        self.assertEqual(values, [3.0, 4.0, -6.5])

    def test_core_error_names_core_and_user_line(self):
        with self.assertRaises(EpythonError) as cm:
            divide(1, 0)
        e = cm.exception
        self.assertEqual(e.core, 2)
        self.assertTrue(e.file.endswith("test_offload.py"), e.file)
        import inspect
        lines, first = inspect.getsourcelines(divide.fn)
        self.assertEqual(e.line, first + 3)  # the `send(a // b, 0)` line
        self.assertIn("Division by zero", str(e))
        # After the failure the next call starts afresh.
        self.assertEqual(divide(7, 2), 3)

    def test_bad_arguments(self):
        with self.assertRaises(TypeError):
            block_sum({"a": 1}, 1)

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
