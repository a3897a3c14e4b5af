def f(c):
    x = 1
    if c:
        x = [1, 2]
    return x
print f(1)
