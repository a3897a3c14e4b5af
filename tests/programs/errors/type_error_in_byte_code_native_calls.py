# Native code calling byte code: `work` stays native on host cores and calls the dynamic
# `note` through the interpreter; note's `tag - 1` fails once tag is a str. The error names
# the core and note's line, as in byte code only.
def note(i):
    if i > 2:
        tag = "many"
    else:
        tag = i
    print tag - 1

def work(n):
    s = 0
    for i in range(n):
        s = s + i
        note(i)
    return s

print work(5)
