// lumio-sbpf-progs OUT_DIR: writes the hand-made hostile sBPF v0 programs (svm/asm.hpp
// hostile_programs) as OUT_DIR/<name>.so, for the end-to-end tests (tests/solana/hostile.test.js).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "svm/asm.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lumio-sbpf-progs OUT_DIR\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& p : lumio::svm::hostile_programs()) {
    auto path = dir / (p.name + ".so");
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(p.elf.data()), std::streamsize(p.elf.size()));
    if (!f) {
      std::fprintf(stderr, "lumio-sbpf-progs: cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("%s%s\n", path.c_str(), p.invalid ? " (invalid)" : "");
  }
  return 0;
}
