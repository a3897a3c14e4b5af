# run: -d 1
# Floats are the Epiphany FPU's binary32, which has no subnormal numbers: a result below the
# smallest normal float (2**-126) is flushed to zero, on the device and on host cores alike.
x = 1.0
halvings = 0
while x > 0.0:
    x = x / 2.0
    halvings += 1
print(halvings)
y = 1.0
steps = 0
while y != 0.0:
    y = y * 0.5
    steps += 1
print(steps)
