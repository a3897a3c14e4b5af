# run: -d 16
from parallel import *
from random import randint

a=reduce(randint(0,100), "max")
print "The highest random number is "+str(a)
