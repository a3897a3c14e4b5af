# A program that falls back (label returns an int or a str); ratio stays native and is
# called from byte code, and its division by zero names the core and ratio's line.
def label(x):
    if x > 1:
        return "many"
    return x

def ratio(a, b):
    q = a / b
    return q + 1

print label(1)
print ratio(10, 2)
print ratio(10, 0)
