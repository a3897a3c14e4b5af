# run: -d 1
# Loops whose body reads the element the previous iteration stored (a[i-1] after a[i] = ...):
# the compiler may carry it in a register; results must be those of memory.
n = 10
a = [1.5] * (n + 2)
i = 1
while i <= n:
    a[i] = a[i - 1] * 0.5 + a[i + 1]
    i += 1
print(a)

# prefix sums of ints; the read after the store in the same iteration is the older element
p = [3] * 8
s = 0
i = 1
while i < 8:
    p[i] = p[i - 1] + p[i]
    s = s + p[i - 1]
    i += 1
print(p)
print(s)

# a second name for the same list: two stores, the one through b changes a[i-1]
c = [0] * 6
b = c
i = 1
while i < 6:
    c[i] = c[i - 1] + 1
    b[i] = b[i] * 10
    i += 1
print(c)

# continue skips the store on some iterations
d = [1] * 8
i = 1
while i < 8:
    if i == 4:
        i += 1
        continue
    d[i] = d[i - 1] + i
    i += 1
print(d)

# a store at an offset, and bools
e = [true] * 7
i = 0
while i < 5:
    e[i + 2] = not e[i + 1]
    i += 1
print(e)
