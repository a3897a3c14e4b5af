# run: -d 2 -h 2
# Messages between the device cores (0, 1) and the host virtual cores (2, 3) of a hybrid run:
# point-to-point calls across the two kinds of core and collectives over all four cores.
from parallel import *

me = coreid()
n = numcores()
print("core " + str(me) + " of " + str(n))

# A ring 0 -> 1 -> 2 -> 3 -> 0: device to device, device to host, host to host, host to device.
if me == 0:
    send(1, 1)
    print("ring back " + str(recv(3)))
else:
    v = recv(me - 1)
    send(v * 10 + me + 1, (me + 1) % n)

# Pairwise exchanges across: 0 with 3, 1 with 2.
print("sendrecv " + str(sendrecv(me * 100, 3 - me)))

# Probe, then non-blocking sends from a device core to a host core and back.
if me == 1:
    nonblocking_send(7, 2)
    nonblocking_send(8, 2)
    wait_sent(2)
    print("sent both " + str(test_sent(2)))
    while not probe(3):
        pass
    print("probed " + str(recv(3)))
if me == 2:
    print("got " + str(recv(1) + recv(1)))
if me == 3:
    send(42, 1)

# Lists element by element, device to host and host to device.
if me == 0:
    send([1, 2, 3, 4], 2, 4)
    back = recv(2, 4)
    print(back)
if me == 2:
    data = recv(0, 4)
    i = 0
    while i < 4:
        data[i] = data[i] * data[i]
        i += 1
    send(data, 0, 4)

sync()
print("sum " + str(reduce(me + 1, "sum")))
print("max " + str(reduce(me * 1.5, "max")))
print("min " + str(reduce(10 - me, "min")))
print("prod " + str(reduce(me + 1, "prod")))
print("from host " + str(bcast(me * 11, 3)))
print("from device " + str(bcast(me + 0.5, 1)))
sync()
print("done")
