# run: -d 4
# A list and a string larger than a core's 32 KB local memory (40 KB each). tests/device.rs
# runs it with `-datashared` (every list and string in shared DRAM); without the flag the
# device heap overflows into the core's area of shared DRAM once local memory is full.
from parallel import coreid
n = 10000
values = [0] * n
for i in range(n):
    values[i] = (i * i) % 1000 + coreid()
total = 0
for v in values:
    total = total + v
print(total)
print(values[n - 1])
print(len(values))
text = "epiphany" * 5000
print(len(text))
word = "core " + str(coreid())
print(word + ": " + str(len(text) + len(values)))
