// The assembler and ELF builder live in svm/asm.hpp; tests keep using them as svm::test::.
#pragma once
#include "svm/asm.hpp"

namespace lumio::svm::test {
using lumio::svm::assemble;
using lumio::svm::ElfBuilder;
using lumio::svm::insn;
}  // namespace lumio::svm::test
