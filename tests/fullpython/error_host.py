# Sends core 3 a zero and waits for its answer; the error on core 3 raises here, from the
# send or the recv (whichever call is pending when core 3 fails).
from epython import EpythonError, recv, send

try:
    send(0, 3)
    recv(3)
except EpythonError as e:
    print("caught: core %s line %s file %s" % (e.core, e.line, e.file.rsplit("/", 1)[-1]))
    print("message: %s" % e)
    raise
