# A program that falls back to byte code (describe returns an int or a str) whose other
# functions take and return scalars and touch no module variable: on host cores byte code
# calls them natively (epyc check lists them; EPYC_MIXED_STATS=1 counts the calls), also a
# recursive one, one called with a bool and a none, and one taking and returning a string. Every mode prints the same.
def describe(x):
    if x > 2:
        return "many"
    return x

def checksum(n, seed):
    s = seed
    for i in range(n):
        s = (s * 31 + i * i) % 1000003
    return s

def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def mean(a, b):
    return (a + b) / 2.0

def shout(word, times):
    return word + "!" + str(times)

def pick(flag, other):
    if flag and other is none:
        return 1
    return 0

for k in range(4):
    print describe(k)
print checksum(300, 7)
print checksum(300, -7)
print fib(15)
print mean(1.5, 2)
print mean(3, 4)
print pick(True, none)
print -2 ** 3
print shout("hey", 2)
print shout(describe(5), 1)
