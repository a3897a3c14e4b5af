# The host's half of collectives_device.py.
from epython import bcast, coreid, numcores, reduce, sendrecv, sync

sync()
print("host total %d" % reduce(coreid() + 1, "sum"))
print("host bcast %d" % bcast(coreid() * 10, coreid()))
print("host got %d from core 0" % sendrecv(99, 0))
print("host is core %d of %d" % (coreid(), numcores()))
