# memory: ePython's modules/memory.py. epyc's runtime manages list and string memory itself,
# so both are accepted and do nothing.

def free(a):
    native rtl_free(a)

def gc():
    native rtl_gc()
