"""The frame and value encoding of rt/bridge/PROTOCOL.md, and error report parsing."""

import unittest

from epython import _wire
from epython._link import error_from_report


class WireTest(unittest.TestCase):
    def round_trip(self, value):
        buf = bytearray()
        _wire.encode(value, buf)
        got, end = _wire.decode(bytes(buf))
        self.assertEqual(end, len(buf))
        return got

    def test_scalars_and_lists(self):
        for v in [None, True, False, 0, -7, 2 ** 31 - 1, -(2 ** 31), "héllo", [1, 2, 3], [], [True, None, "x"]]:
            self.assertEqual(self.round_trip(v), v)

    def test_floats_travel_as_float32(self):
        self.assertEqual(self.round_trip(0.5), 0.5)
        self.assertAlmostEqual(self.round_trip(0.1), 0.1, places=6)

    def test_the_bytes_are_the_documented_ones(self):
        buf = bytearray()
        _wire.encode([1, "ab"], buf)
        self.assertEqual(bytes(buf), b"\x05\x02\x00\x00\x00" b"\x02\x01\x00\x00\x00" b"\x04\x02\x00\x00\x00ab")

    def test_values_that_cannot_go(self):
        with self.assertRaises(OverflowError):
            _wire.encode(2 ** 31, bytearray())
        with self.assertRaises(TypeError):
            _wire.encode({"a": 1}, bytearray())


class ReportTest(unittest.TestCase):
    def test_core_and_line(self):
        e = error_from_report("Error from core 3: Division by zero\n  at /x/device.py:12\n")
        self.assertEqual((e.core, e.file, e.line), (3, "/x/device.py", 12))
        self.assertEqual(str(e), "Division by zero (core 3, line 12 of /x/device.py)")

    def test_without_a_line(self):
        e = error_from_report("Error from core 0: math domain error\n")
        self.assertEqual((e.core, e.line), (0, None))

    def test_deadlock(self):
        e = error_from_report("Deadlock: every running core is blocked in message passing\n  core 1: recv from core 2\n")
        self.assertIsNone(e.core)
        self.assertIn("Deadlock", str(e))


class NotStartedByEpycTest(unittest.TestCase):
    def test_a_clear_error(self):
        import os
        import epython

        saved = os.environ.pop("EPYTHON_SOCKET", None)
        try:
            with self.assertRaises(epython.EpythonError) as cm:
                epython.recv(0)
            self.assertIn("not started by epyc", str(cm.exception))
        finally:
            if saved is not None:
                os.environ["EPYTHON_SOCKET"] = saved


if __name__ == "__main__":
    unittest.main()
