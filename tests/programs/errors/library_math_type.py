# A str reaches math's sqrt wrapper on core 1 (x is dynamic): the type error names the call.
from parallel import coreid
from math import sqrt
x = "a"
if coreid() == 0:
    x = 2
print sqrt(x)
