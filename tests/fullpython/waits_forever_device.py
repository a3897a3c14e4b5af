# Core 0 takes one message from the host and then waits for another that never comes.
from parallel import coreid, numcores, recv

if coreid() == 0:
    first = recv(numcores() - 1)
    second = recv(numcores() - 1)
