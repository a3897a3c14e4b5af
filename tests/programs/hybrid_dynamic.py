# run: -d 2 -h 2
# Dynamic code in a hybrid run: the program runs as byte code calling native code where it
# can (show(int) -> str), the device interpreter on cores 0 and 1 and the host interpreter on
# cores 2 and 3, and values whose type depends on the core cross between the two kinds of
# core with their type tags.
from parallel import *

me = coreid()
n = numcores()
if me % 2 == 0:
    v = me * 10
else:
    v = "core " + str(me)

def show(x):
    return "got " + str(x)

# A ring 0 -> 1 -> 2 -> 3 -> 0 of ints and strings: device to device, device to host, host
# to host, host to device.
if me == 0:
    send(v, 1)
    print(show(recv(n - 1)))
else:
    print(show(recv(me - 1)))
    send(v, (me + 1) % n)

# Every kind of value from a host core to a device core, and from a device core to a host
# core.
if me == 2:
    send(2.5, 0)
    send(True, 0)
    send(None, 0)
    send("text from the host", 0)
if me == 0:
    k = 0
    while k < 4:
        print(recv(2))
        k += 1
if me == 1:
    send(0.125, 3)
    send(False, 3)
    send("text from the device", 3)
if me == 3:
    k = 0
    while k < 3:
        print(recv(1))
        k += 1

# Pairwise exchanges across the two sides, and collectives over all four cores.
print("sendrecv " + str(sendrecv(me * 1.5, 3 - me)))
print("sum " + str(reduce(me + 1, "sum")))
print("from device " + str(bcast(me * 2, 1)))
sync()
print("done")
