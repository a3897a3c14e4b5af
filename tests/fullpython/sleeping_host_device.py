# Core 1 reads past the end of a list at once (line 6) while the host program sleeps.
from parallel import coreid

if coreid() == 1:
    a = [1, 2, 3]
    print(a[7])
