# Core 3 divides by the zero the host sends it: a runtime error at line 7.
from parallel import coreid, numcores, recv, send

host = numcores() - 1
if coreid() == 3:
    zero = recv(host)
    print(10 // zero)
    send(10 // zero, host)
