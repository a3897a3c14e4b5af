# The error is in the top-level code of a module beside this program: it names that file.
import module_code_helper
print "not reached"
