# Host program for the kill test: sends core 0 its first message, tells the test its pid, then
# works (sleeps) while core 0 waits for a second message; the test kills it meanwhile.
import os
import sys
import time
from epython import send

send(1, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(os.getpid()))
time.sleep(600)
send(2, 0)
