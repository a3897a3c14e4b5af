# run: -d 1
# Where epyc follows Python rather than the reference ePython (spec deviations).
print(-7 // 2)
print(7 // -2)
print(-7 % 3)
print(7 % -3)
print(2 * 3 ** 2)
print(2 ** 3 ** 2)
print(1 < 2 < 3)
print(3 > 2 > 2)
x = 4
print(-x)
print(0 or 5)
print(3 and 0)
print(not 0)
print(2 ** -1)
print(7.5 % 2)
print(-7.5 // 2)
print(True == 1)
print(0x1F)
if -1:
    print("negative ints are true")
if 0.5:
    print("nonzero floats are true")
if "":
    print("not printed")
else:
    print("empty strings are false")
if [1]:
    print("non-empty lists are true")
y = 3
y **= 2
print(y)
y //= 2
print(y)
y %= 3
print(y)
