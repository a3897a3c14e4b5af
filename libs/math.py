# math: ePython's modules/math.py with deviation D33: pi and e are the float32 values of the
# true constants, usable as constants (`2*pi`) and, for ePython programs, as calls (`pi()`);
# exp is the real exponential. floor/ceil return floats (D34).

pi = 3.141592653589793
e = 2.718281828459045

# int ** non-negative int constant stays an int (pow(2, 10) is 1024, D34).
def pow(a, b):
    return a ** b

def sqrt(a):
    return native rtl_math(0, a)

def sin(a):
    return native rtl_math(1, a)

def cos(a):
    return native rtl_math(2, a)

def tan(a):
    return native rtl_math(3, a)

def asin(a):
    return native rtl_math(4, a)

def acos(a):
    return native rtl_math(5, a)

def atan(a):
    return native rtl_math(6, a)

def sinh(a):
    return native rtl_math(7, a)

def cosh(a):
    return native rtl_math(8, a)

def tanh(a):
    return native rtl_math(9, a)

def floor(a):
    return native rtl_math(10, a)

def ceil(a):
    return native rtl_math(11, a)

def log(a):
    return native rtl_math(12, a)

def log10(a):
    return native rtl_math(13, a)

def exp(a):
    return native rtl_math(15, a)
