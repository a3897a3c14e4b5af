# Every core, with the host program, in collectives and a pairwise exchange.
from parallel import bcast, coreid, numcores, recv, reduce, send, sendrecv, sync

host = numcores() - 1
sync()
total = reduce(coreid() + 1, "sum")
b = bcast(coreid() * 10, host)
if coreid() == 0:
    print(total)
    print(b)
    print(sendrecv(7, host))
