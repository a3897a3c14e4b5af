# random: ePython's modules/random.py over the core's deterministic generator (epyc deviation:
# the same sequence every run; seed() restarts it).

def seed(s):
    native rtl_seed(s)

# A float in [0, 1).
def random():
    return native rtl_random()

# An int in [a, b) (b exclusive, as ePython).
def randint(a, b):
    return native rtl_randint() % (b - a) + a

# An int in [0, a).
def randrange(a):
    return native rtl_randint() % a
