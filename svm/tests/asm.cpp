// Intentionally empty: the assembler moved to svm/asm.cpp (part of lumio_svm).
