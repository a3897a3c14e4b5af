from parallel import *
me = coreid()
other = 1 - me
v = recv(other)
send(me, other)
print v
