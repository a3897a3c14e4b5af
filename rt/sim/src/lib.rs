//! Cycle-counting simulator of an Epiphany-III workgroup: runs any Epiphany ELF.
