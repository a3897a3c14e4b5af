from parallel import *
me = coreid()
a = [1, 2, 3]
if me == 1:
    print a[me + 5]
print "done"
