# run: -d 1
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
print(fib(20))
def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))
print(ack(2, 3))
def inc(a):
    a = a + 1
    return a
x = 5
y = inc(x)
print(x)
print(y)
def twice(f, v):
    return f(f(v))
print(twice(inc, 3))
h = fib
print(h(10))
def noret():
    pass
print(noret())
def defaults(a, b=10):
    return a + b
print(defaults(1))
print(defaults(1, 2))
def hanoi(n):
    if n == 0:
        return 0
    return 2 * hanoi(n - 1) + 1
print(hanoi(13))
# int / int is ePython's integer floor division (deviation D2): half(9) is 4, not 4.5
# (the one line of functions.out not derived by scripts/derive_expected.py).
def half(v):
    return v / 2
print(half(9))
print(half(9.0))
