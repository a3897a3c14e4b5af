# randint(a, b) is rtl_randint() % (b - a) + a in random.py: with a == b the division by zero
# happens in library code and is reported at the call's line.
from random import randint
low = 4
print randint(low, 4)
