# array: multi-dimensional arrays (ePython's modules/array.py). Arrays are zero-initialised
# (deviation D19). len() is the Python builtin: for an array it is the total size (D34).

def array(d1, d2=none, d3=none, d4=none, d5=none, d6=none, d7=none):
    return native rtl_allocatearray(d1, d2, d3, d4, d5, d6, d7)

def shared_mem_array(d1, d2=none, d3=none, d4=none, d5=none, d6=none, d7=none):
    return native rtl_allocatesharedarray(d1, d2, d3, d4, d5, d6, d7)

def size(arr):
    return len(arr)

def ndim(arr):
    return native rtl_numdims(arr)

def shape(arr):
    n = native rtl_numdims(arr)
    dims = [0] * n
    i = 0
    while i < n:
        dims[i] = native rtl_dsize(arr, i)
        i += 1
    return dims

def nbytes(arr):
    return len(arr) * 4

# Copies a one-dimensional list into another of the same length.
def arraycopy(target, source):
    if len(target) != len(source):
        print "Error, array copy overall sizes must match"
        exit()
    i = 0
    while i < len(source):
        target[i] = source[i]
        i += 1

def freearray(arr):
    native rtl_free(arr)
