total = 0
i = 1
x = (totl + i)
print x
