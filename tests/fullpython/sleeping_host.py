# Host program that makes no epython call for ten minutes: a core's error must not wait for it.
import time

time.sleep(600)
