# The "CPython on host only" entry of the paper's Table II: the same odd-even transposition
# sort of 5,000 random numbers, serially in CPython, printed as listing 6 prints them.
from random import randint

data = []
count = 0
while count < 5000:
    data.append(randint(0, 1000))
    count += 1

n = len(data)
phase = 0
while phase < n:
    i = phase % 2
    while i + 1 < n:
        if data[i] > data[i + 1]:
            data[i], data[i + 1] = data[i + 1], data[i]
        i += 2
    phase += 1

count = 0
while count < 5000:
    print(data[count])
    count += 1
