# run: -d 2
# Messages of every kind to a receiver that cannot know their type (the receives are dynamic
# and run as byte code), and back: every message carries its type tag, on host cores and on
# the chip alike.
from parallel import *
if coreid() == 0:
    send(7, 1)
    send(0.25, 1)
    send("hello", 1)
    send(false, 1)
    print recv(1)
    print recv(1)
else:
    k = 0
    while k < 4:
        v = recv(0)
        print v
        k += 1
    send(3.5, 0)
    send("done", 0)
