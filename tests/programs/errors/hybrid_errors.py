# A runtime error on a host core (3) of a hybrid run, while device core 1 waits for it: the
# error names core and line, and the waiting core is reported, not left hanging.
from parallel import recv, coreid
if coreid() == 3:
    a = [1, 2]
    print(a[5])
if coreid() == 1:
    print(recv(3))
