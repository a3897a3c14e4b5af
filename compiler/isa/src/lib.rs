//! The Epiphany instruction set as one table: encoder, decoder and disassembler are all driven by
//! it. Imports nothing of ours.
