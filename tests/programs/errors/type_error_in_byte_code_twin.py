# A program that falls back (pick returns an int or a str); half stays native for ints, and
# byte code calling it with a str interprets half instead, whose // then fails: the error
# names the core and half's line, as in byte code only.
def pick(k):
    if k > 0:
        return "many"
    return k

def half(n):
    return n // 2 + 0

print half(9)
print half(pick(0))
print half(pick(1))
