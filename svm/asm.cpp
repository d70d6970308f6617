#include "svm/asm.hpp"

#include <cstring>
#include <map>
#include <stdexcept>

#include "svm/sbpf.hpp"

namespace lumio::svm {
namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_operands(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == '[') ++depth;
    if (i < s.size() && s[i] == ']') --depth;
    if (i == s.size() || (s[i] == ',' && depth == 0)) {
      auto t = trim(std::string_view(s).substr(start, i - start));
      if (!t.empty()) out.push_back(t);
      start = i + 1;
    }
  }
  return out;
}

int64_t number(const std::string& s) {
  size_t used = 0;
  int64_t v = int64_t(std::stoull(s[0] == '-' || s[0] == '+' ? s.substr(1) : s, &used, 0));
  if (used + (s[0] == '-' || s[0] == '+') != s.size()) throw std::invalid_argument("bad number " + s);
  return s[0] == '-' ? -v : v;
}

bool is_reg(const std::string& s) { return s.size() >= 2 && s[0] == 'r' && isdigit(s[1]); }
uint8_t reg(const std::string& s) {
  if (!is_reg(s)) throw std::invalid_argument("expected register: " + s);
  int r = std::stoi(s.substr(1));
  if (r > 15) throw std::invalid_argument("bad register " + s);
  return uint8_t(r);
}

// "[r1+8]" / "[r10-1]" / "[r2]"
std::pair<uint8_t, int16_t> mem(const std::string& s) {
  if (s.size() < 4 || s.front() != '[' || s.back() != ']') throw std::invalid_argument("expected [reg+off]: " + s);
  std::string in = s.substr(1, s.size() - 2);
  size_t p = in.find_first_of("+-");
  if (p == std::string::npos) return {reg(trim(in)), 0};
  return {reg(trim(in.substr(0, p))), int16_t(number(trim(in.substr(p))))};
}

void emit(std::vector<uint8_t>& out, uint8_t opc, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  auto w = insn(opc, dst, src, off, imm);
  out.insert(out.end(), w.begin(), w.end());
}

}  // namespace

std::vector<uint8_t> insn(uint8_t opc, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  std::vector<uint8_t> w(8);
  w[0] = opc;
  w[1] = uint8_t((src << 4) | (dst & 0xf));
  std::memcpy(&w[2], &off, 2);
  std::memcpy(&w[4], &imm, 4);
  return w;
}

std::vector<uint8_t> assemble(std::string_view source) {
  static const std::map<std::string, uint8_t> alu = {
      {"add", 0x00}, {"sub", 0x10}, {"mul", 0x20}, {"div", 0x30}, {"or", 0x40}, {"and", 0x50},
      {"lsh", 0x60}, {"rsh", 0x70}, {"mod", 0x90}, {"xor", 0xa0}, {"mov", 0xb0}, {"arsh", 0xc0}};
  static const std::map<std::string, uint8_t> jmp = {
      {"jeq", 0x10}, {"jgt", 0x20}, {"jge", 0x30}, {"jset", 0x40}, {"jne", 0x50}, {"jsgt", 0x60},
      {"jsge", 0x70}, {"jlt", 0xa0}, {"jle", 0xb0}, {"jslt", 0xc0}, {"jsle", 0xd0}};
  static const std::map<std::string, uint8_t> size = {{"b", 0x10}, {"h", 0x08}, {"w", 0x00}, {"dw", 0x18}};

  std::vector<uint8_t> out;
  size_t pos = 0;
  while (pos <= source.size()) {
    size_t end = source.find_first_of(";\n", pos);
    if (end == std::string_view::npos) end = source.size();
    std::string line = trim(source.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    std::string m = line.substr(0, sp);
    auto ops = split_operands(sp == std::string::npos ? "" : line.substr(sp + 1));
    auto need = [&](size_t n) {
      if (ops.size() != n) throw std::invalid_argument("operand count: " + line);
    };

    if (m == "exit") { need(0); emit(out, op::EXIT, 0, 0, 0, 0); continue; }
    if (m == "ja") { need(1); emit(out, op::JA, 0, 0, int16_t(number(ops[0])), 0); continue; }
    if (m == "lddw") {
      need(2);
      uint64_t v = uint64_t(number(ops[1]));
      emit(out, op::LD_DW_IMM, reg(ops[0]), 0, 0, int32_t(uint32_t(v)));
      emit(out, 0, 0, 0, 0, int32_t(uint32_t(v >> 32)));
      continue;
    }
    if (m == "call") {
      need(1);
      int32_t imm = isdigit(ops[0][0]) || ops[0][0] == '-' || ops[0][0] == '+' ? int32_t(number(ops[0]))
                                                           : int32_t(hash_symbol_name(ops[0]));
      emit(out, op::CALL_IMM, 0, 0, 0, imm);
      continue;
    }
    if (m == "call_pc") { need(1); emit(out, op::CALL_IMM, 0, 0, 0, int32_t(hash_pc(uint64_t(number(ops[0]))))); continue; }
    if (m == "callx") { need(1); emit(out, op::CALL_REG, 0, 0, 0, reg(ops[0])); continue; }
    if (m == "neg32" || m == "neg64") { need(1); emit(out, m == "neg32" ? op::NEG32 : op::NEG64, reg(ops[0]), 0, 0, 0); continue; }
    if ((m.starts_with("le") || m.starts_with("be")) && m.size() > 2 && isdigit(m[2])) {
      need(1);
      emit(out, m[0] == 'l' ? op::LE : op::BE, reg(ops[0]), 0, 0, int32_t(number(m.substr(2))));
      continue;
    }
    if (m.starts_with("ldx") && size.count(m.substr(3))) {
      need(2);
      auto [r, off] = mem(ops[1]);
      emit(out, uint8_t(0x61 | size.at(m.substr(3))), reg(ops[0]), r, off, 0);
      continue;
    }
    if (m.starts_with("stx") && size.count(m.substr(3))) {
      need(2);
      auto [r, off] = mem(ops[0]);
      emit(out, uint8_t(0x63 | size.at(m.substr(3))), r, reg(ops[1]), off, 0);
      continue;
    }
    if (m.starts_with("st") && size.count(m.substr(2))) {
      need(2);
      auto [r, off] = mem(ops[0]);
      emit(out, uint8_t(0x62 | size.at(m.substr(2))), r, 0, off, int32_t(number(ops[1])));
      continue;
    }
    if (jmp.count(m)) {
      need(3);
      bool x = is_reg(ops[1]);
      emit(out, uint8_t(0x05 | jmp.at(m) | (x ? 0x08 : 0)), reg(ops[0]), x ? reg(ops[1]) : 0,
           int16_t(number(ops[2])), x ? 0 : int32_t(number(ops[1])));
      continue;
    }
    bool is64 = m.ends_with("64"), is32 = m.ends_with("32");
    if ((is64 || is32) && alu.count(m.substr(0, m.size() - 2))) {
      need(2);
      bool x = is_reg(ops[1]);
      uint8_t opc = uint8_t((is64 ? 0x07 : 0x04) | alu.at(m.substr(0, m.size() - 2)) | (x ? 0x08 : 0));
      emit(out, opc, reg(ops[0]), x ? reg(ops[1]) : 0, 0, x ? 0 : int32_t(number(ops[1])));
      continue;
    }
    throw std::invalid_argument("unknown mnemonic: " + line);
  }
  return out;
}

namespace {
template <class T>
void put(std::vector<uint8_t>& b, size_t at, T v) {
  if (b.size() < at + sizeof(T)) b.resize(at + sizeof(T));
  std::memcpy(b.data() + at, &v, sizeof(T));
}
void align8(std::vector<uint8_t>& b) { b.resize((b.size() + 7) & ~size_t{7}); }
}  // namespace

std::vector<uint8_t> ElfBuilder::build() const {
  // Dynamic symbols and names.
  std::vector<std::string> syms = {""};
  std::vector<std::pair<uint64_t, bool>> sym_info = {{0, false}};
  std::string dynstr(1, '\0');
  std::vector<uint32_t> sym_name_off = {0};
  auto sym_index = [&](const Reloc& r) -> uint32_t {
    if (r.symbol.empty()) return 0;
    for (size_t i = 1; i < syms.size(); ++i)
      if (syms[i] == r.symbol) return uint32_t(i);
    syms.push_back(r.symbol);
    sym_info.push_back({r.symbol_value, r.function});
    sym_name_off.push_back(uint32_t(dynstr.size()));
    dynstr += r.symbol + '\0';
    return uint32_t(syms.size() - 1);
  };
  std::vector<std::pair<uint64_t, uint64_t>> rels;
  for (auto& r : relocs) {
    uint64_t base = r.in_rodata ? rodata_addr() : text_addr();
    uint32_t s = sym_index(r);
    rels.push_back({base + r.offset, uint64_t(s) << 32 | r.type});
  }

  std::vector<uint8_t> f(64, 0);
  struct Sec { std::string name; uint32_t type; uint64_t flags, addr, off, size, entsize; uint32_t link; };
  std::vector<Sec> secs = {{"", 0, 0, 0, 0, 0, 0, 0}};
  auto add = [&](std::string name, uint32_t type, uint64_t flags, const std::vector<uint8_t>& data,
                 uint64_t entsize, bool alloc_addr) {
    align8(f);
    uint64_t off = f.size();
    f.insert(f.end(), data.begin(), data.end());
    secs.push_back({std::move(name), type, flags, alloc_addr ? off : 0, off, data.size(), entsize, 0});
    return off;
  };
  add(".text", 1, 6, text, 0, true);
  if (!rodata.empty()) add(".rodata", 1, 2, rodata, 0, true);
  for (auto& n : extra_sections) add(n, 1, 2, std::vector<uint8_t>(8, 0), 0, true);
  std::vector<uint8_t> dynsym(syms.size() * 24, 0);
  for (size_t i = 1; i < syms.size(); ++i) {
    put<uint32_t>(dynsym, i * 24, sym_name_off[i]);
    dynsym[i * 24 + 4] = uint8_t(0x10 | (sym_info[i].second ? 2 : 0));  // GLOBAL, FUNC/NOTYPE
    put<uint16_t>(dynsym, i * 24 + 6, sym_info[i].second ? 1 : 0);
    put<uint64_t>(dynsym, i * 24 + 8, sym_info[i].first);
  }
  uint64_t dynsym_off = add(".dynsym", 11, 2, dynsym, 24, true);
  add(".dynstr", 3, 2, std::vector<uint8_t>(dynstr.begin(), dynstr.end()), 0, true);
  uint64_t rel_off = 0;
  if (!rels.empty()) {
    std::vector<uint8_t> rel(rels.size() * 16);
    for (size_t i = 0; i < rels.size(); ++i) {
      put<uint64_t>(rel, i * 16, rels[i].first);
      put<uint64_t>(rel, i * 16 + 8, rels[i].second);
    }
    rel_off = add(".rel.dyn", 9, 2, rel, 16, true);
  }
  std::vector<uint8_t> dyn;
  auto dt = [&](uint64_t tag, uint64_t val) {
    put<uint64_t>(dyn, dyn.size(), tag);
    put<uint64_t>(dyn, dyn.size(), val);
  };
  if (!rels.empty()) { dt(17, rel_off); dt(18, rels.size() * 16); dt(19, 16); }
  dt(6, dynsym_off);
  dt(0, 0);
  add(".dynamic", 6, 3, dyn, 16, true);
  std::string shstr(1, '\0');
  std::vector<uint32_t> name_off;
  for (auto& s : secs) {
    if (s.name.empty()) { name_off.push_back(0); continue; }
    name_off.push_back(uint32_t(shstr.size()));
    shstr += s.name + '\0';
  }
  name_off.push_back(uint32_t(shstr.size()));
  shstr += std::string(".shstrtab") + '\0';
  add(".shstrtab", 3, 0, std::vector<uint8_t>(shstr.begin(), shstr.end()), 0, false);
  align8(f);
  uint64_t shoff = f.size();
  for (size_t i = 0; i < secs.size(); ++i) {
    size_t at = f.size();
    f.resize(at + 64);
    put<uint32_t>(f, at, name_off[i]);
    put<uint32_t>(f, at + 4, secs[i].type);
    put<uint64_t>(f, at + 8, secs[i].flags);
    put<uint64_t>(f, at + 16, secs[i].addr);
    put<uint64_t>(f, at + 24, secs[i].off);
    put<uint64_t>(f, at + 32, secs[i].size);
    put<uint64_t>(f, at + 48, 8);
    put<uint64_t>(f, at + 56, secs[i].entsize);
  }
  // File header.
  std::memcpy(f.data(), "\x7f" "ELF", 4);
  f[4] = 2; f[5] = 1; f[6] = 1;
  put<uint16_t>(f, 16, type);
  put<uint16_t>(f, 18, machine);
  put<uint32_t>(f, 20, 1);
  put<uint64_t>(f, 24, text_addr() + entry_offset);
  put<uint64_t>(f, 32, 64);  // e_phoff (no program headers)
  put<uint64_t>(f, 40, shoff);
  put<uint32_t>(f, 48, flags);
  put<uint16_t>(f, 52, 64);
  put<uint16_t>(f, 54, 56);
  put<uint16_t>(f, 56, 0);
  put<uint16_t>(f, 58, 64);
  put<uint16_t>(f, 60, uint16_t(secs.size()));
  put<uint16_t>(f, 62, uint16_t(secs.size() - 1));
  return f;
}

}  // namespace lumio::svm

namespace lumio::svm {

std::vector<uint8_t> program_elf(std::string_view source, const std::vector<std::string>& syscalls) {
  ElfBuilder b;
  b.text = assemble(source);
  for (size_t at = 0; at + 8 <= b.text.size(); at += 8) {
    if (b.text[at] != op::CALL_IMM) continue;
    uint32_t imm;
    std::memcpy(&imm, b.text.data() + at + 4, 4);
    for (const auto& name : syscalls)
      if (imm == hash_symbol_name(name)) {
        const int32_t unresolved = -1;
        std::memcpy(b.text.data() + at + 4, &unresolved, 4);
        b.relocs.push_back({at, 10, name});
      }
  }
  return b.build();
}

namespace {
// Aligned input (BPFLoader2 / upgradeable): [u64 n] then per account: dup, signer, writable,
// executable, 4 pad, key @8, owner @40, lamports @72, data_len @80, data @88 (offsets from the
// account record at input + 8).
constexpr const char* kCpiSelf = R"(
  mov64 r6, r1
  mov64 r7, r6
  add64 r7, 16
  stxdw [r10-64], r7
  stdw [r10-56], 0
  stxdw [r10-40], r7
  mov64 r2, r10
  add64 r2, -64
  stxdw [r10-32], r2
  stdw [r10-24], 1
  stxdw [r10-16], r6
  stdw [r10-8], 0
  stxdw [r10-120], r7
  mov64 r2, r6
  add64 r2, 80
  stxdw [r10-112], r2
  ldxdw r2, [r6+88]
  stxdw [r10-104], r2
  mov64 r2, r6
  add64 r2, 96
  stxdw [r10-96], r2
  mov64 r2, r6
  add64 r2, 48
  stxdw [r10-88], r2
  stdw [r10-80], 0
  stdw [r10-72], 0
  ldxb r2, [r6+11]
  stxb [r10-70], r2
  mov64 r1, r10
  add64 r1, -40
  mov64 r2, r10
  add64 r2, -120
  mov64 r3, 1
  mov64 r4, 0
  mov64 r5, 0
  call sol_invoke_signed_c
  mov64 r0, 0
  exit)";
}  // namespace

std::vector<SampleProgram> hostile_programs() {
  std::vector<SampleProgram> out;
  auto add = [&](std::string name, std::vector<uint8_t> elf, bool invalid = false) {
    out.push_back({std::move(name), std::move(elf), invalid});
  };
  const std::vector<std::string> sys = {"sol_log_", "sol_invoke_signed_c"};
  // (a) spins until the compute meter runs out.
  add("infinite_loop", program_elf("mov64 r1, 0; add64 r1, 1; ja -2", sys));
  // (b) reads 8 bytes at address 0 (no region there).
  add("oob_load", program_elf("mov64 r2, 0; ldxdw r0, [r2+0]; exit", sys));
  // (c) invokes itself (account 0 = its own program account) until the CPI depth limit.
  add("cpi_recursion", program_elf(kCpiSelf, sys));
  // (d) a function that calls itself until the BPF-to-BPF frame limit (relative calls).
  add("call_depth", program_elf("call 1; exit; mov64 r0, 0; call -2; exit", sys));
  // (e) logs "hostile program!" and fails with Custom(6000).
  add("custom_error", program_elf(R"(
    lddw r1, 0x20656c6974736f68
    stxdw [r10-16], r1
    lddw r1, 0x216d6172676f7270
    stxdw [r10-8], r1
    mov64 r1, r10
    add64 r1, -16
    mov64 r2, 16
    call sol_log_
    mov64 r0, 6000
    exit)", sys));
  // (f) divides by a register holding 0.
  add("div_by_zero", program_elf("mov64 r2, 0; mov64 r0, 1; div64 r0, r2; exit", sys));
  // (g) writes one byte just past the 32 KiB heap.
  add("heap_oob", program_elf("lddw r2, 0x300008000; stb [r2+0], 1; mov64 r0, 0; exit", sys));

  // (h) ELFs no loader accepts (deploy must fail).
  const auto good = program_elf("mov64 r0, 0; exit", sys);
  add("bad_truncated", std::vector<uint8_t>(good.begin(), good.begin() + 100), true);
  ElfBuilder machine;
  machine.text = assemble("mov64 r0, 0; exit");
  machine.machine = 62;  // EM_X86_64
  add("bad_machine", machine.build(), true);
  ElfBuilder entry;
  entry.text = assemble("mov64 r0, 0; exit");
  entry.entry_offset = 64;  // past the end of .text
  add("bad_entrypoint", entry.build(), true);
  add("bad_syscall", program_elf("call sol_no_such_syscall_; mov64 r0, 0; exit",
                                 {"sol_no_such_syscall_"}), true);
  return out;
}

}  // namespace lumio::svm
