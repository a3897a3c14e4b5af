# taskfarm's execFunction sends through parallel's runtime services: sending to a core that
# does not exist is reported at the user's call, and the worker left waiting at its own.
from taskfarm import *
def square(x):
    return x * x
initTaskFarm(0)
if coreid() == 0:
    execFunction(7, square, 3)
    print waitFunctionFinish(1)
    shutdownTaskFarm()
else:
    worker()
