# run: -d 1
a = "abc"
b = 'de'
print(a + b)
print(a * 3)
print(len(a + b))
print(a < b)
print("abd" > "abc")
print(a == "abc")
print(a != "abc")
print(str(42) + str(2.5) + str(True) + str(None))
s = ""
for i in range(4):
    s = s + str(i)
print(s)
print("tab\there")
