# Both cores receive first, through library code that is more than one runtime service
# (recv of n values loops in parallel.py): each wait is reported at this file's line.
from parallel import *
if coreid() == 0:
    a = recv(1, 2)
else:
    b = recv(0, 3)
print "not reached"
