# taskfarm: a master/worker task farm (ePython's modules/taskfarm.py).
# Protocol, master -> worker: the argument count (-1: stop), the function, then each argument;
# worker -> master: the function's result. Arguments and results are single values (int,
# float, bool or str) and all messages of a program share one type (see libs/README.md).
from parallel import *
from array import *

taskfarm_master_core = 0

def initTaskFarm(master):
    taskfarm_master_core = master

# Runs fn(a, b, ...) (up to 5 arguments) on worker core pid.
def execFunction(pid, fn, a=none, b=none, c=none, d=none, e=none):
    if a is none:
        native rtl_send(0, pid)
        native rtl_send(fn, pid)
    elif b is none:
        native rtl_send(1, pid)
        native rtl_send(fn, pid)
        native rtl_send(a, pid)
    elif c is none:
        native rtl_send(2, pid)
        native rtl_send(fn, pid)
        native rtl_send(a, pid)
        native rtl_send(b, pid)
    elif d is none:
        native rtl_send(3, pid)
        native rtl_send(fn, pid)
        native rtl_send(a, pid)
        native rtl_send(b, pid)
        native rtl_send(c, pid)
    elif e is none:
        native rtl_send(4, pid)
        native rtl_send(fn, pid)
        native rtl_send(a, pid)
        native rtl_send(b, pid)
        native rtl_send(c, pid)
        native rtl_send(d, pid)
    else:
        native rtl_send(5, pid)
        native rtl_send(fn, pid)
        native rtl_send(a, pid)
        native rtl_send(b, pid)
        native rtl_send(c, pid)
        native rtl_send(d, pid)
        native rtl_send(e, pid)

# True once worker pid has sent its result.
def testFunctionFinish(pid):
    return native rtl_probe(pid)

# Waits for worker pid's result and returns it.
def waitFunctionFinish(pid):
    return native rtl_recv(pid)

# The worker loop: runs the functions the master sends until told to stop.
def worker():
    master = taskfarm_master_core
    running = true
    while running:
        nargs = native rtl_recv(master)
        if nargs < 0:
            running = false
        else:
            fn = native rtl_recvfunc(master)
            if nargs == 0:
                native rtl_send(fn(), master)
            elif nargs == 1:
                arg1 = native rtl_recv(master)
                native rtl_send(fn(arg1), master)
            elif nargs == 2:
                arg1 = native rtl_recv(master)
                arg2 = native rtl_recv(master)
                native rtl_send(fn(arg1, arg2), master)
            elif nargs == 3:
                arg1 = native rtl_recv(master)
                arg2 = native rtl_recv(master)
                arg3 = native rtl_recv(master)
                native rtl_send(fn(arg1, arg2, arg3), master)
            elif nargs == 4:
                arg1 = native rtl_recv(master)
                arg2 = native rtl_recv(master)
                arg3 = native rtl_recv(master)
                arg4 = native rtl_recv(master)
                native rtl_send(fn(arg1, arg2, arg3, arg4), master)
            else:
                arg1 = native rtl_recv(master)
                arg2 = native rtl_recv(master)
                arg3 = native rtl_recv(master)
                arg4 = native rtl_recv(master)
                arg5 = native rtl_recv(master)
                native rtl_send(fn(arg1, arg2, arg3, arg4, arg5), master)

# Tells every worker to stop.
def shutdownTaskFarm():
    i = 0
    n = numcores()
    while i < n:
        if i != taskfarm_master_core:
            native rtl_send(0 - 1, i)
        i += 1
