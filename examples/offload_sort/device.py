# Listing 7 of the paper, made runnable: the epyc cores' side of the offloaded sort. The host
# program (host.py, under CPython) is the core one past the last epyc core; core 0 takes the
# numbers from it, every core sorts a block in parallel (odd-even transposition of sorted
# blocks, as ePython's parallel odd-even sort example), core 0 gathers and sends them back.
from parallel import coreid, numcores, recv, send

# Block b of n numbers on c cores: indices [start(b), start(b + 1)).
def start(b, n, c):
    return (b * n) // c

# Insertion sort of a core's block.
def sort_block(block, size):
    i = 1
    while i < size:
        v = block[i]
        j = i - 1
        while j >= 0 and block[j] > v:
            block[j + 1] = block[j]
            j -= 1
        block[j + 1] = v
        i += 1

# Keeps the `size` smallest (keep_low) or largest of the two sorted blocks in `mine`.
def merge_keep(mine, size, other, other_size, keep_low):
    merged = [0] * size
    if keep_low:
        i = 0
        j = 0
        k = 0
        while k < size:
            if j >= other_size or (i < size and mine[i] <= other[j]):
                merged[k] = mine[i]
                i += 1
            else:
                merged[k] = other[j]
                j += 1
            k += 1
    else:
        i = size - 1
        j = other_size - 1
        k = size - 1
        while k >= 0:
            if j < 0 or (i >= 0 and mine[i] >= other[j]):
                merged[k] = mine[i]
                i -= 1
            else:
                merged[k] = other[j]
                j -= 1
            k -= 1
    k = 0
    while k < size:
        mine[k] = merged[k]
        k += 1

def parallel_odd_even_sort(data):
    cores = numcores() - 1
    me = coreid()
    n = 0
    if me == 0:
        n = len(data)
        p = 1
        while p < cores:
            send(n, p)
            i = start(p, n, cores)
            while i < start(p + 1, n, cores):
                send(data[i], p)
                i += 1
            p += 1
    else:
        n = recv(0)
    size = start(me + 1, n, cores) - start(me, n, cores)
    block = [0] * size
    if me == 0:
        i = 0
        while i < size:
            block[i] = data[i]
            i += 1
    else:
        block = recv(0, size)
    sort_block(block, size)
    phase = 0
    while phase < cores:
        partner = me + 1
        if (phase + me) % 2 == 1:
            partner = me - 1
        if partner >= 0 and partner < cores:
            other_size = start(partner + 1, n, cores) - start(partner, n, cores)
            if me < partner:
                send(block, partner, size)
                other = recv(partner, other_size)
            else:
                other = recv(partner, other_size)
                send(block, partner, size)
            merge_keep(block, size, other, other_size, me < partner)
        phase += 1
    if me == 0:
        i = 0
        while i < size:
            data[i] = block[i]
            i += 1
        p = 1
        while p < cores:
            got = recv(p, start(p + 1, n, cores) - start(p, n, cores))
            i = 0
            while i < len(got):
                data[start(p, n, cores) + i] = got[i]
                i += 1
            p += 1
    else:
        send(block, 0, size)

host = numcores() - 1
data = []
datalen = 0
if coreid() == 0:
    datalen = recv(host)
    data = recv(host, datalen)
parallel_odd_even_sort(data)
if coreid() == 0:
    send(data, host, len(data))
