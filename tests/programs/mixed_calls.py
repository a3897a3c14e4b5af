# run: -d 1
# A dynamic function (it returns an int or a str) beside native ones, called from the same
# code: the default mode names 'describe' as falling back to byte code and still prints
# what Python would.
def describe(x):
    if x > 10:
        return "big"
    return x

def square(n):
    return n * n

def scale(v, k):
    return v * k

i = 8
while i < 13:
    d = describe(i)
    print d
    i += 2
print square(7)
print scale(1.5, 4)
print scale(3, 4)
total = 0
for j in range(4):
    total += square(j)
print total
