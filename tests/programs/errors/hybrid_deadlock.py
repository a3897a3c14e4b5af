# A device core (0) and a host core (2) each wait for the other: a deadlock across the two
# sides of a hybrid run, to be reported (never a hang) with each core's wait and line.
from parallel import recv, coreid
if coreid() == 0:
    print(recv(2))
if coreid() == 2:
    print(recv(0))
