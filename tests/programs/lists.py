# run: -d 1
a = [5, 6, 7, 8]
print(a[-1])
print(a[-4])
a[-2] = 70
print(a)
f = [0.5] * 3
f[1] = 2.25
print(f)
b = [True, False]
print(b)
def total(xs):
    t = 0
    for x in xs:
        t += x
    return t
print(total(a))
def scale(xs, k):
    for i in range(len(xs)):
        xs[i] = xs[i] * k
scale(a, 2)
print(a)
big = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
print(len(big))
print(big[11])
r = range(3)
print(r)
pair = [1, 2] * 2
print(pair)
print(len([0] * 0))
