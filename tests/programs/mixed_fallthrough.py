# run: -d 1
# Byte code calls functions that have native specialisations with arguments none of them
# takes (a negative int where the specialisation was made for non-negative literals, a
# float, a none): those calls interpret the function instead, the others run natively.
# sum4 takes four ints (on the device its fourth argument goes on the stack). Every mode
# prints the same.
def pick(k):
    if k == 0:
        return none
    if k == 1:
        return -3
    if k == 2:
        return 2.5
    return "ab"

def half(n):
    return n // 2

def twice(x):
    return x + x

def sum4(a, b, c, d):
    return a + b * 10 + c * 100 + d * 1000

def shout(word, times):
    return word + "!" + str(times)

print half(7)
print twice(4)
print twice("yo")
print shout("hey", 2)
print sum4(1, 2, 3, 4)
for k in range(4):
    v = pick(k)
    if v is none:
        print "none"
    else:
        if k < 3:
            print half(v)
        print twice(v)
        print shout("k", v)
