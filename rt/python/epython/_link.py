"""One connection to an epyc run, with this process as one of its cores."""

import re
import struct

from . import _wire

REDUCE_OPS = {"sum": 0, "min": 1, "max": 2, "prod": 3}


class EpythonError(RuntimeError):
    """An error of the epyc run: a runtime error on a core, a deadlock, or the run ending.

    `core` and `line` name the failing core and source line when the run reported them;
    `file` is that line's source file."""

    def __init__(self, message, core=None, file=None, line=None):
        super().__init__(message)
        self.core, self.file, self.line = core, file, line


# Shown in tracebacks as `epython.EpythonError`, where users import it from.
EpythonError.__module__ = "epython"


def error_from_report(text):
    """An EpythonError for a report such as
    'Error from core 3: Division by zero\\n  at device.py:12'."""
    core = file = line = None
    m = re.search(r"Error from core (\d+): (.*)", text)
    at = re.search(r"^\s*at (.*):(\d+)\s*$", text, re.M)
    if m:
        core = int(m.group(1))
    if at:
        file, line = at.group(1), int(at.group(2))
    if m:
        where = "core %d" % core + (", line %d of %s" % (line, file) if at else "")
        message = "%s (%s)" % (m.group(2).strip(), where)
        if text.count("Error from core") > 1 or "Deadlock" in text:
            message += "\n" + text.strip()
        return EpythonError(message, core, file, line)
    return EpythonError(text.strip())


class Link:
    """Requests to the epyc run over a connected socket; this process is core `coreid`."""

    def __init__(self, sock, coreid, numcores):
        self.sock = sock
        self.coreid = coreid
        self.numcores = numcores
        self.failed = None

    def _call(self, body):
        if self.failed is not None:
            raise self.failed
        try:
            _wire.write_frame(self.sock, body)
            reply = _wire.read_frame(self.sock)
        except OSError as e:
            reply = None
            cause = e
        else:
            cause = None
        if reply is None:
            self.failed = EpythonError(
                "the epyc run has ended: the cores are gone (see epyc's messages above)"
            )
            raise self.failed from cause
        value, _ = _wire.decode(reply, 1)
        if reply[0] == _wire.REPLY_OK:
            return value
        err = error_from_report(value)
        if err.core is not None or "Deadlock" in value:
            # A core failed: the run cannot go on, every later call raises the same.
            self.failed = err
        raise err

    def _core(self, pid, what):
        if isinstance(pid, bool) or not isinstance(pid, int):
            raise TypeError("%s: a core id is an int, not %s" % (what, type(pid).__name__))
        if not 0 <= pid < self.numcores or pid == self.coreid:
            raise ValueError(
                "%s core %d: the cores are 0 to %d and this host program is core %d"
                % (what, pid, self.numcores - 1, self.coreid)
            )

    def send(self, data, dest, n=None):
        self._core(dest, "send to")
        if n is not None:
            if not isinstance(data, (list, tuple)):
                raise TypeError("send(data, dest, n) needs a list, not %s" % type(data).__name__)
            if not 0 <= n <= len(data):
                raise ValueError("send: n = %d but the list has %d elements" % (n, len(data)))
            data = list(data[:n])
        body = bytearray((_wire.OP_SEND,))
        body += struct.pack("<i", dest)
        _wire.encode(data, body)
        self._call(body)

    def recv(self, src, n=None):
        self._core(src, "recv from")
        if n is not None and n < 0:
            raise ValueError("recv: n must not be negative")
        body = bytearray((_wire.OP_RECV,))
        body += struct.pack("<ii", src, -1 if n is None else n)
        return self._call(body)

    def _scalar_op(self, op, arg, data, what):
        if isinstance(data, (list, tuple, str)):
            raise TypeError("%s takes one number, not a %s" % (what, type(data).__name__))
        body = bytearray((op,))
        body += struct.pack("<i", arg)
        _wire.encode(data, body)
        return self._call(body)

    def sendrecv(self, data, pid):
        self._core(pid, "sendrecv with")
        return self._scalar_op(_wire.OP_SENDRECV, pid, data, "sendrecv")

    def bcast(self, data, root):
        if not 0 <= root < self.numcores:
            raise ValueError("bcast: root core %d does not exist" % root)
        return self._scalar_op(_wire.OP_BCAST, root, data, "bcast")

    def reduce(self, data, op):
        if op not in REDUCE_OPS:
            raise ValueError("reduce: op is one of %s, not %r" % (", ".join(REDUCE_OPS), op))
        return self._scalar_op(_wire.OP_REDUCE, REDUCE_OPS[op], data, "reduce")

    def sync(self):
        self._call(bytearray((_wire.OP_SYNC,)))
