# run: -d 1
# A variable reused with another type once its old value is dead is two variables, not a
# dynamic one: this program is all native (epyc check says so; tests/cli.rs checks it).
def report(n):
    t = n * 2
    print t
    t = "done " + str(n)
    print t
    t = n / 4.0
    print t

report(3)
x = 10
print x
x = x / 4
print x
x = "ten"
print x
