# run: -d 16
from parallel import *
print "Hello world from core "+str(coreid())+" of "+str(numcores())
