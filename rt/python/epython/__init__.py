"""epython: a CPython host program as one more core of an epyc run (the paper's section IV).

Started by `epyc run device.py --fullpython host.py` (16 simulated Epiphany cores; `-d N` or
`-h N` host virtual cores instead), this process is core 16 (one past the last epyc core) and
talks to the cores with the calls ePython programs use::

    from epython import send, recv
    send(len(data), 0)
    send(data, 0, len(data))      # the first n elements, one message each
    data = recv(0, len(data))     # n messages into a new list

Values: int (32-bit), float (sent as float32), bool, None, str, and lists of them element by
element. A runtime error on a core, or a deadlock, raises `EpythonError` naming the core and
the source line. `offload` (see epython.offload) runs a decorated function on the cores from a
plain `python3`.
"""

import os
import socket as _socket

from ._link import EpythonError, Link
from .offload import offload

__all__ = [
    "send", "recv", "sendrecv", "bcast", "reduce", "sync", "coreid", "numcores", "ishost",
    "isdevice", "offload", "EpythonError",
]

_link = None


def _default_link():
    """The link to the run that started this process, connected on first use."""
    global _link
    if _link is None:
        path = os.environ.get("EPYTHON_SOCKET")
        if not path:
            raise EpythonError(
                "this program was not started by epyc: run it as "
                "`epyc run DEVICE.py --fullpython %s` (optionally -d N or -h N), or use @epython.offload"
                % os.path.basename(os.sys.argv[0] if os.sys.argv else "HOST.py")
            )
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            sock.connect(path)
        except OSError as e:
            raise EpythonError("cannot reach the epyc run at %s: %s" % (path, e)) from e
        _link = Link(sock, int(os.environ["EPYTHON_COREID"]), int(os.environ["EPYTHON_NUMCORES"]))
    return _link


def coreid():
    """This host program's core id: the number of epyc cores."""
    return _default_link().coreid


def numcores():
    """All cores of the run, this one included."""
    return _default_link().numcores


def ishost():
    return True


def isdevice():
    return False


def send(data, dest, n=None):
    """Blocking send to core `dest`; with `n`, the first n elements of the list `data`."""
    _default_link().send(data, dest, n)


def recv(src, n=None):
    """Blocking receive of one value from core `src`, or with `n` a list of n values."""
    return _default_link().recv(src, n)


def sendrecv(data, pid):
    """Pairwise exchange with core `pid` (which calls sendrecv with this core)."""
    return _default_link().sendrecv(data, pid)


def bcast(data, root):
    """Every core calls it; the value of core `root` is returned everywhere."""
    return _default_link().bcast(data, root)


def reduce(data, op):
    """Every core calls it; op is "sum", "min", "max" or "prod"."""
    return _default_link().reduce(data, op)


def sync():
    """Barrier over every core of the run."""
    _default_link().sync()
