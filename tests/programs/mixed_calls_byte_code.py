# Native code calling byte code (issue 6): `work` is typed and runs natively on host cores;
# it calls `note`, which is dynamic (its `tag` is an int or a str), as a statement that
# discards the result, so the call goes through the interpreter instead of dragging `work`
# into byte code. `note` passes on ints, floats, strs, bools and none, updates a module
# variable the byte code reads later and calls the native `square` back (native -> byte code
# -> native). `describe`'s result is used, so its callers stay byte code. Every mode prints
# the same.
calls = 0

def square(x):
    return x * x

def note(i, scale, label, flag, nothing):
    global calls
    calls = calls + 1
    if i > 500:
        tag = label
    else:
        tag = square(i)
    print tag
    print scale * 2.0
    if flag and nothing is none:
        print "flagged"
    return tag

def describe(x):
    if x > 2:
        return "many"
    return x

def work(n, scale):
    s = 0
    for i in range(n):
        s = (s * 31 + i) % 1000003
        if i % 250 == 0:
            note(i, scale, "big", i > 600, none)
    return s

def summary(n):
    return describe(n)

print work(1000, 1.5)
print calls
print summary(1)
print summary(7)
