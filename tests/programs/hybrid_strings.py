# run: -d 2 -h 1
# Strings between device cores (0, 1) and a host virtual core (2) of a hybrid run.
from parallel import *

me = coreid()
if me == 0:
    send("ping from device core 0", 2)
    print(recv(2))
if me == 1:
    print(recv(2))
if me == 2:
    print(recv(0))
    send("pong to core " + str(0), 0)
    send("hello core 1, " + str(numcores()) + " cores", 1)
