# run: -d 1
# break, continue, counted loops with negative steps, nested loops, elif chains.
total = 0
for i in range(10):
    if i == 7:
        break
    if i % 2 == 0:
        continue
    total += i
print(total)
for j in range(10, 0, -3):
    print(j)
k = 0
while True:
    k += 1
    if k > 4:
        break
print(k)
n = 0
for a in range(3):
    for b in range(3):
        if b > a:
            break
        n += 1
print(n)
x = 5
if x > 10:
    print("big")
elif x > 3:
    print("medium")
else:
    print("small")
s = 0
for v in [3, 1, 4, 1, 5]:
    s = s * 10 + v
print(s)
print(len(range(2, 11, 3)))
w = 0
c = 10
while c > 0:
    c -= 1
    if c % 3 == 0:
        continue
    w += c
print(w)
