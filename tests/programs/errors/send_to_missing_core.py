from parallel import *
if coreid() == 0:
    send(1, 7)
print "not reached on core 0"
