# run: -d 4
# Repeated collectives must stay correct and deterministic (deviation D35), a ring of
# blocking sends ordered to avoid deadlock and barriers.
# (Strings in messages: shared/golden/parallel/dev_send_string.py.)
from parallel import *
me = coreid()
n = numcores()
total = 0
for r in range(100):
    total += reduce(me + r, "sum")
print(total)
fmax = 0.0
for r in range(50):
    fmax = reduce(me * 0.5 + r, "max")
print(fmax)
right = (me + 1) % n
left = (me + n - 1) % n
got = 0
if me % 2 == 0:
    send(me * 10, right)
    got = recv(left)
else:
    got = recv(left)
    send(me * 10, right)
print(got)
sync()
v = bcast(me + 100, 3)
print(v)
