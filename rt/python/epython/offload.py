"""`@offload`: run a function whose body is ePython on epyc cores, from a plain `python3`.

Used as numba's `@jit` is::

    import epython

    @epython.offload(cores=16)
    def partial_sums(data, n):
        me = coreid()
        total = 0
        i = me
        while i < n:
            total += data[i]
            i += numcores()
        ...
        return total

    partial_sums(list_of_ints, len(list_of_ints))   # compiled by epyc on this first call

* Runs on `cores` simulated Epiphany device cores (`epyc run -d cores`, the default
  `target="device"`), or with `target="host"` on `cores` host virtual cores (`epyc run -h
  cores`: native code, faster to start and run, but not the Epiphany). The simulated chip
  has as many cores as rt/device's memory map allows (16); epyc refuses more, and the call
  raises `EpythonError` after epyc's message.
* Compiled lazily, on the first call, for the types of the arguments (a *signature*; lists
  count with their length, since the cores receive them element by element); later calls
  with the same signature reuse the running cores, like numba's dispatcher. `f.signatures`
  lists the compiled ones, `f.kernel_source(*args)` shows the generated ePython program.
* Every core runs the body with the same arguments; inside it `coreid()` is 0..cores-1 and
  `numcores()` is `cores`, and cores may `send`/`recv`/`sendrecv` among themselves
  (`from parallel import ...` is implied). Collectives (`sync`, `reduce`, `bcast`) are not
  available: they would wait for the calling CPython process.
* The result is core 0's return value (or None). Lists passed in are passed by reference, as
  numpy arrays are to numba: core 0's copy is written back into the caller's list.
* Arguments: int, float, bool, or lists of them. ePython messages have one type per program,
  so a call with any float sends every number as a float (`dtype=float` forces it, and
  `dtype=int` forbids floats).
* A runtime error on a core raises `EpythonError` naming the core and the line of *your*
  source file. The epyc binary is `$EPYC`, else `epyc` on PATH, else this repository's
  `target/release/epyc`.
"""

import atexit
import inspect
import os
import re
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time

from ._link import EpythonError, Link

COLLECTIVES = re.compile(r"\b(sync|reduce|bcast)\s*\(")
START_TIMEOUT = 120.0
# `epyc run` flag choosing where the cores are.
TARGET_FLAGS = {"device": "-d", "host": "-h"}


def find_epyc():
    """The epyc binary: $EPYC, `epyc` on PATH, or the repository's release build."""
    env = os.environ.get("EPYC")
    if env:
        return env
    on_path = shutil.which("epyc")
    if on_path:
        return on_path
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.normpath(os.path.join(here, "..", "..", ".."))
    built = os.path.join(repo, "target", "release", "epyc")
    if os.path.exists(built):
        return built
    raise EpythonError(
        "cannot find epyc: set EPYC to the binary, put it on PATH, or build it with "
        "`cargo build --release` in %s" % repo
    )


def _kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    return None


def signature_of(args):
    """('int', ('list', 'int', 5000), ...) for the arguments; TypeError for others."""
    sig = []
    for i, a in enumerate(args):
        if _kind(a):
            sig.append(_kind(a))
        elif isinstance(a, (list, tuple)):
            kinds = {_kind(x) for x in a}
            if None in kinds:
                raise TypeError("argument %d: a list of numbers or bools is needed" % (i + 1))
            elem = "float" if "float" in kinds else (kinds.pop() if len(kinds) == 1 else "int")
            sig.append(("list", elem, len(a)))
        else:
            raise TypeError(
                "argument %d: cannot pass a %s to the cores (int, float, bool or a list of them)"
                % (i + 1, type(a).__name__)
            )
    return tuple(sig)


def _message_kind(sig, dtype):
    uses_float = any(s == "float" or (isinstance(s, tuple) and s[1] == "float") for s in sig)
    if dtype is int and uses_float:
        raise TypeError("dtype=int, but a float argument was given")
    if dtype is float or uses_float:
        return "float"
    return "int"


class Kernel:
    """One compiled signature: the epyc process running the cores, and the link to them."""

    def __init__(self, epyc, source_path, cores, target, line_map):
        self.cores = cores
        self.line_map = line_map
        self.dir = os.path.dirname(source_path)
        sock_path = os.path.join(self.dir, "link.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(sock_path)
        listener.listen(1)
        listener.settimeout(0.05)
        self.proc = subprocess.Popen(
            [epyc, "run", TARGET_FLAGS[target], str(cores), source_path, "--attach", sock_path]
        )
        deadline = time.monotonic() + START_TIMEOUT
        conn = None
        while conn is None:
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                status = self.proc.poll()
                if status is not None:
                    listener.close()
                    raise EpythonError("epyc stopped (status %d) before the cores started" % status)
                if time.monotonic() > deadline:
                    self.proc.kill()
                    raise EpythonError("epyc did not start the cores within %d s" % START_TIMEOUT)
        listener.close()
        conn.settimeout(None)
        self.link = Link(conn, cores, cores + 1)

    def call(self, args, sig, kind):
        num = float if kind == "float" else int
        for core in range(self.cores):
            self.link.send(num(1), core)
            for a, s in zip(args, sig):
                if isinstance(s, tuple):
                    self.link.send([num(x) for x in a], core)
                else:
                    self.link.send(num(a), core)
        result = self.link.recv(0)
        back = [self.link.recv(0, s[2]) for s in sig if isinstance(s, tuple)]
        return result, back

    def close(self):
        if self.proc.poll() is None and self.link.failed is None:
            try:
                for core in range(self.cores):
                    self.link.send(0, core)
            except (EpythonError, OSError):
                pass
        try:
            self.link.sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def user_error(self, err):
        """`err` with the kernel's line replaced by the user's source line."""
        if err.line is None or err.file is None or not err.file.endswith("kernel.py"):
            return err
        first, count, user_file, user_first = self.line_map
        if not first <= err.line < first + count:
            return err
        line = user_first + err.line - first
        text = str(err).replace(
            "line %d of %s" % (err.line, err.file), "line %d of %s" % (line, user_file)
        )
        return EpythonError(text, err.core, user_file, line)


class Offloaded:
    """A function compiled for the cores on first call, per signature."""

    def __init__(self, fn, cores, dtype, target):
        if not isinstance(cores, int) or not 1 <= cores <= 1023:
            raise ValueError("offload: cores is a number from 1 to 1023")
        self.fn = fn
        self.cores = cores
        self.target = target
        self.dtype = dtype
        self.kernels = {}
        lines, self.first_line = inspect.getsourcelines(fn)
        self.user_file = inspect.getsourcefile(fn) or "<unknown>"
        src = textwrap.dedent("".join(lines))
        # Drop the decorator lines: the kernel's def starts at the `def`.
        body = src.splitlines()
        start = next(i for i, l in enumerate(body) if l.lstrip().startswith("def "))
        self.first_line += start
        self.def_lines = body[start:]
        text = "\n".join(self.def_lines)
        found = COLLECTIVES.search(text)
        if found:
            raise EpythonError(
                "offload: %s() is used in %s, but collectives would also wait for the calling "
                "CPython process; use send/recv between the cores" % (found.group(1), fn.__name__)
            )
        # A body with no `return value` gives None (the kernel then sends a placeholder).
        self.returns = re.search(r"^\s*return\s+[^\s#]", text, re.M) is not None
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        atexit.register(self.close)

    @property
    def signatures(self):
        return list(self.kernels)

    def kernel_source(self, *args):
        """The ePython program generated for these arguments."""
        sig = signature_of(args)
        return self._source(sig, _message_kind(sig, self.dtype), self.returns)[0]

    def _source(self, sig, kind, returns):
        n = self.cores
        zero = "0.0" if kind == "float" else "0"
        head = [
            "# Generated by @epython.offload for %s (signature %r)." % (self.fn.__name__, sig),
            "from parallel import coreid, ishost, isdevice, send, recv, sendrecv, probe",
            "",
            "def numcores():",
            "    return %d" % n,
            "",
        ]
        first = len(head) + 1
        body = list(self.def_lines) + [""]
        names = ["offload_arg%d_" % i for i in range(len(sig))]
        loop = []
        if kind == "float":
            # Never runs: a float send the type inference meets before any receive, so every
            # receive is typed float (it starts from int otherwise).
            loop += ["if coreid() < 0:", "    send(0.0, %d)" % n]
        loop += ["offload_go_ = recv(%d)" % n, "while offload_go_ == 1:"]
        for name, s in zip(names, sig):
            if isinstance(s, tuple):
                # Element by element into a list of the message type (parallel.recv(pid, n)
                # makes a list of ints).
                loop.append("    %s = [%s] * %d" % (name, zero, s[2]))
                loop.append("    offload_i_ = 0")
                loop.append("    while offload_i_ < %d:" % s[2])
                loop.append("        %s[offload_i_] = recv(%d)" % (name, n))
                loop.append("        offload_i_ += 1")
            else:
                loop.append("    %s = recv(%d)" % (name, n))
        call = "%s(%s)" % (self.fn.__name__, ", ".join(names))
        loop.append("    offload_result_ = %s" % call if returns else "    " + call)
        loop.append("    if coreid() == 0:")
        loop.append("        send(%s, %d)" % ("offload_result_" if returns else zero, n))
        for name, s in zip(names, sig):
            if isinstance(s, tuple):
                loop.append("        send(%s, %d, %d)" % (name, n, s[2]))
        loop.append("    offload_go_ = recv(%d)" % n)
        text = "\n".join(head + body + loop) + "\n"
        return text, (first, len(self.def_lines), self.user_file, self.first_line)

    def _compile(self, sig, kind):
        epyc = find_epyc()
        text, line_map = self._source(sig, kind, self.returns)
        workdir = tempfile.mkdtemp(prefix="epython-offload-")
        path = os.path.join(workdir, "kernel.py")
        with open(path, "w") as f:
            f.write(text)
        check = subprocess.run([epyc, "check", path], capture_output=True, text=True)
        if check.returncode == 0:
            return Kernel(epyc, path, self.cores, self.target, line_map)
        shutil.rmtree(workdir, ignore_errors=True)
        raise EpythonError(
            "offload: epyc cannot compile %s for %r:\n%s"
            % (self.fn.__name__, sig, check.stderr.strip() or check.stdout.strip())
        )

    def __call__(self, *args):
        sig = signature_of(args)
        kind = _message_kind(sig, self.dtype)
        key = (sig, kind)
        kernel = self.kernels.get(key)
        if kernel is None:
            kernel = self.kernels[key] = self._compile(sig, kind)
        try:
            result, back = kernel.call(args, sig, kind)
        except EpythonError as err:
            del self.kernels[key]
            kernel.close()
            raise kernel.user_error(err) from None
        lists = [a for a, s in zip(args, sig) if isinstance(s, tuple)]
        for a, new in zip(lists, back):
            if isinstance(a, list):
                a[:] = new
        return result if self.returns else None

    def close(self):
        for kernel in self.kernels.values():
            kernel.close()
        self.kernels.clear()


def offload(fn=None, *, cores=16, dtype=None, target="device"):
    """Decorator: run the function on `cores` epyc cores (see the module's documentation);
    `target` is "device" (simulated Epiphany cores, the default) or "host" (host virtual
    cores)."""
    if dtype not in (None, int, float):
        raise ValueError("offload: dtype is int or float")
    if target not in TARGET_FLAGS:
        raise ValueError('offload: target is "device" or "host"')
    if fn is not None:
        return Offloaded(fn, cores, dtype, target)
    return lambda f: Offloaded(f, cores, dtype, target)
