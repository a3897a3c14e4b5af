# parallel: core identity, messages and collectives (ePython's modules/parallel.py).
# Cores are numbered 0..numcores()-1. Every function calls a runtime service through
# `native rtl_*` (see libs/README.md for what each one is in epyc).

def coreid():
    return native rtl_coreid()

def numcores():
    return native rtl_numcores()

def ishost():
    return native rtl_ishost()

def isdevice():
    return native rtl_isdevice()

# Blocking send of one value (int, float, bool, str, function) or, with n, of the first n
# elements of a list, one message per element.
def send(data, pid, n=none):
    if n is none:
        native rtl_send(data, pid)
    else:
        i = 0
        while i < n:
            native rtl_send(data[i], pid)
            i += 1

# Blocking receive of one value, or with n of n values into a new list.
def recv(pid, n=none):
    if n is none:
        return native rtl_recv(pid)
    data = [0] * n
    i = 0
    while i < n:
        data[i] = native rtl_recv(pid)
        i += 1
    return data

# Pairwise exchange: both partners call sendrecv targeting each other.
def sendrecv(data, pid, n=none):
    if n is none:
        return native rtl_sendrecv(data, pid)
    got = [0] * n
    i = 0
    while i < n:
        got[i] = native rtl_sendrecv(data[i], pid)
        i += 1
    return got

# Every core calls it; the root's value is returned on every core.
def bcast(data, root):
    return native rtl_bcast(data, root)

# op is "sum", "min", "max" or "prod"; every core gets the result (an implicit barrier).
def reduce(data, op):
    if op == "sum":
        return native rtl_reduce(data, 0)
    if op == "min":
        return native rtl_reduce(data, 1)
    if op == "max":
        return native rtl_reduce(data, 2)
    if op == "prod":
        return native rtl_reduce(data, 3)
    print "Operator " + op + " not found"
    return native rtl_reduce(data, 0)

def sync():
    native rtl_sync()

def probe(pid):
    return native rtl_probe(pid)

def nonblocking_send(data, pid):
    native rtl_send_nonblocking(data, pid)

def test_sent(pid):
    return native rtl_test_for_send(pid)

def wait_sent(pid):
    return native rtl_wait_for_send(pid)
