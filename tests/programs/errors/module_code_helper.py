# Imported by module_code_error.py: its code runs at the import and fails here.
z = [1]
w = z[2]
