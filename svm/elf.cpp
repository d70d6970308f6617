// ELF64 parsing + sBPF v0 relocation. Every check and its order mirrors sbpf's elf_parser/mod.rs
// (Elf64::parse) and elf.rs (load_with_lenient_parser, validate, relocate, parse_ro_sections),
// because which malformed files are rejected, and with which error, is consensus behaviour.
#include "svm/elf.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace lumio::svm {
namespace {

using PE = ElfParserError;

struct Ehdr {
  uint8_t ident[16];
  uint16_t e_type, e_machine;
  uint32_t e_version;
  uint64_t e_entry, e_phoff, e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct Phdr {
  uint32_t p_type, p_flags;
  uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};
struct Shdr {
  uint32_t sh_name, sh_type;
  uint64_t sh_flags, sh_addr, sh_offset, sh_size;
  uint32_t sh_link, sh_info;
  uint64_t sh_addralign, sh_entsize;
};
struct Sym {
  uint32_t st_name;
  uint8_t st_info, st_other;
  uint16_t st_shndx;
  uint64_t st_value, st_size;
};
struct Rel {
  uint64_t r_offset, r_info;
};
struct Dyn {
  uint64_t d_tag, d_val;
};
static_assert(sizeof(Ehdr) == 64 && sizeof(Phdr) == 56 && sizeof(Shdr) == 64);
static_assert(sizeof(Sym) == 24 && sizeof(Rel) == 16 && sizeof(Dyn) == 16);

constexpr uint16_t EM_BPF = 247, EM_SBPF = 263, ET_DYN = 3;
constexpr uint32_t PT_LOAD = 1, PT_DYNAMIC = 2;
constexpr uint32_t SHT_NULL = 0, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_DYNAMIC = 6, SHT_NOBITS = 8,
                   SHT_DYNSYM = 11;
constexpr uint64_t SHF_WRITE = 1, SHF_ALLOC = 2;
constexpr uint64_t DT_SYMTAB = 6, DT_REL = 17, DT_RELSZ = 18, DT_RELENT = 19, DT_NUM = 35;
constexpr uint32_t R_BPF_64_64 = 1, R_BPF_64_RELATIVE = 8, R_BPF_64_32 = 10;
constexpr uint8_t STT_FUNC = 2;
constexpr size_t kSectionNameMax = 16, kSymbolNameMax = 64;

struct Range {
  uint64_t begin = 0, end = 0;  // half-open
  uint64_t size() const { return end - begin; }
  bool contains(uint64_t x) const { return begin <= x && x < end; }
};

template <class T>
T read_at(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

bool overlap(Range a, Range b) { return !(a.end <= b.begin || b.end <= a.begin); }
bool checked_add(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }
uint64_t sat_add(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}
uint64_t sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

// Section file range; NOBITS occupies none (sbpf: file_range() = None -> 0..0).
Range file_range(const Shdr& s) {
  if (s.sh_type == SHT_NOBITS) return {0, 0};
  return {s.sh_offset, sat_add(s.sh_offset, s.sh_size)};
}
Range vm_range(const Shdr& s) { return {s.sh_addr, sat_add(s.sh_addr, s.sh_size)}; }

// Parsed view of an ELF64 file (sbpf's Elf64). Tables are copied out, so no alignment hazards.
struct Elf64 {
  std::span<const uint8_t> bytes;
  Ehdr eh{};
  std::vector<Phdr> phdrs;
  std::vector<Shdr> shdrs;
  std::optional<Shdr> shstrtab, symtab, strtab, dynstr;
  uint64_t dyn[DT_NUM] = {};
  std::optional<std::vector<Rel>> relocs;
  std::optional<std::vector<Sym>> dynsyms;

  // Slice [r) of the file as an array of T, with sbpf's size, bounds and alignment checks (the
  // host buffer is 16-aligned, so alignment reduces to the file offset).
  template <class T>
  std::optional<PE> slice(Range r, std::vector<T>& out) const {
    if (r.end < r.begin) return PE::OutOfBounds;
    if (r.size() % sizeof(T) != 0) return PE::InvalidSize;
    if (r.end > bytes.size()) return PE::OutOfBounds;
    if (r.begin % alignof(T) != 0) return PE::InvalidAlignment;
    out.resize(r.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data() + r.begin, r.size());
    return std::nullopt;
  }

  // NUL-terminated string at `off` in a STRTAB section, at most `max` bytes.
  std::optional<PE> string_in(const Shdr& s, uint32_t off, size_t max, std::string& out,
                              std::string* too_long = nullptr) const {
    if (s.sh_type != SHT_STRTAB) return PE::InvalidSectionHeader;
    uint64_t begin, sec_end, lim;
    if (!checked_add(s.sh_offset, off, begin) || !checked_add(s.sh_offset, s.sh_size, sec_end) ||
        !checked_add(begin, max, lim))
      return PE::OutOfBounds;
    uint64_t end = std::min(sec_end, lim);
    if (begin > end || end > bytes.size()) return PE::OutOfBounds;
    const uint8_t* p = bytes.data() + begin;
    const void* nul = std::memchr(p, 0, end - begin);
    if (!nul) {
      if (too_long) too_long->assign(reinterpret_cast<const char*>(p), end - begin);
      return PE::StringTooLong;
    }
    out.assign(reinterpret_cast<const char*>(p), static_cast<const uint8_t*>(nul) - p);
    return std::nullopt;
  }

  std::optional<PE> section_name(const Shdr& s, std::string& out) const {
    if (!shstrtab) return PE::NoSectionNameStringTable;
    return string_in(*shstrtab, s.sh_name, kSectionNameMax, out);
  }

  std::optional<ElfError> parse(std::span<const uint8_t> b) {
    bytes = b;
    if (b.size() < sizeof(Ehdr)) return ElfError::from(PE::OutOfBounds);
    eh = read_at<Ehdr>(b.data());
    const Range fh{0, sizeof(Ehdr)};
    if (std::memcmp(eh.ident, "\x7f" "ELF", 4) != 0 || eh.ident[4] != 2 || eh.ident[5] != 1 ||
        eh.ident[6] != 1 || eh.e_version != 1 || eh.e_ehsize != sizeof(Ehdr) ||
        eh.e_phentsize != sizeof(Phdr) || eh.e_shentsize != sizeof(Shdr) ||
        eh.e_shstrndx >= eh.e_shnum)
      return ElfError::from(PE::InvalidFileHeader);

    Range ph{eh.e_phoff, 0}, sh{eh.e_shoff, 0};
    if (!checked_add(eh.e_phoff, uint64_t{sizeof(Phdr)} * eh.e_phnum, ph.end))
      return ElfError::from(PE::OutOfBounds);
    if (overlap(fh, ph)) return ElfError::from(PE::Overlap);
    if (auto e = slice(ph, phdrs)) return ElfError::from(*e);
    if (!checked_add(eh.e_shoff, uint64_t{sizeof(Shdr)} * eh.e_shnum, sh.end))
      return ElfError::from(PE::OutOfBounds);
    if (overlap(fh, sh) || overlap(ph, sh)) return ElfError::from(PE::Overlap);
    if (auto e = slice(sh, shdrs)) return ElfError::from(*e);
    if (shdrs.empty() || shdrs[0].sh_type != SHT_NULL) return ElfError::from(PE::InvalidSectionHeader);

    uint64_t vaddr = 0;
    for (auto& p : phdrs) {
      if (p.p_type != PT_LOAD) continue;
      if (p.p_vaddr < vaddr) return ElfError::from(PE::InvalidProgramHeader);
      uint64_t end;
      if (!checked_add(p.p_offset, p.p_filesz, end) || end > b.size())
        return ElfError::from(PE::OutOfBounds);
      vaddr = p.p_vaddr;
    }
    uint64_t offset = 0;
    for (auto& s : shdrs) {
      if (s.sh_type == SHT_NOBITS) continue;
      Range r{s.sh_offset, 0};
      if (!checked_add(s.sh_offset, s.sh_size, r.end)) return ElfError::from(PE::OutOfBounds);
      if (overlap(r, fh) || overlap(r, ph) || overlap(r, sh)) return ElfError::from(PE::Overlap);
      if (r.begin < offset) return ElfError::from(PE::SectionNotInOrder);
      offset = r.end;
      if (offset > b.size()) return ElfError::from(PE::OutOfBounds);
    }
    if (eh.e_shstrndx != 0) shstrtab = shdrs[eh.e_shstrndx];

    // Named sections the loader needs; duplicates are malformed.
    if (!shstrtab) return ElfError::from(PE::NoSectionNameStringTable);
    for (auto& s : shdrs) {
      std::string name, too_long;
      if (auto e = string_in(*shstrtab, s.sh_name, kSectionNameMax, name, &too_long)) {
        ElfError err = ElfError::from(*e, too_long);
        err.a = kSectionNameMax;
        return err;
      }
      std::optional<Shdr>* slot = name == ".symtab"   ? &symtab
                                  : name == ".strtab" ? &strtab
                                  : name == ".dynstr" ? &dynstr
                                                      : nullptr;
      if (!slot) continue;
      if (*slot) return ElfError::from(PE::InvalidSectionHeader);
      *slot = s;
    }
    return parse_dynamic();
  }

  std::optional<ElfError> parse_dynamic() {
    std::vector<Dyn> table;
    bool found = false;
    for (auto& p : phdrs) {
      if (p.p_type != PT_DYNAMIC) continue;
      uint64_t end;
      found = checked_add(p.p_offset, p.p_filesz, end) && !slice(Range{p.p_offset, end}, table);
      break;
    }
    if (!found) {
      for (auto& s : shdrs) {
        if (s.sh_type != SHT_DYNAMIC) continue;
        uint64_t end;
        if (!checked_add(s.sh_offset, s.sh_size, end) || slice(Range{s.sh_offset, end}, table))
          return ElfError::from(PE::InvalidDynamicSectionTable);
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;  // static file: no relocations
    for (auto& d : table) {
      if (d.d_tag == 0) break;
      if (d.d_tag < DT_NUM) dyn[d.d_tag] = d.d_val;
    }

    if (uint64_t va = dyn[DT_REL]) {
      if (dyn[DT_RELENT] != sizeof(Rel) || dyn[DT_RELSZ] == 0)
        return ElfError::from(PE::InvalidDynamicSectionTable);
      std::optional<uint64_t> off;
      for (auto& p : phdrs) {
        uint64_t end;
        if (!checked_add(p.p_vaddr, p.p_memsz, end)) return ElfError::from(PE::OutOfBounds);
        if (p.p_vaddr <= va && va < end) {
          uint64_t o;
          if (!checked_add(va - p.p_vaddr, p.p_offset, o)) return ElfError::from(PE::OutOfBounds);
          off = o;
          break;
        }
      }
      if (!off) {  // old toolchains: DT_REL outside every segment; fall back to section headers
        for (auto& s : shdrs)
          if (s.sh_addr == va) { off = s.sh_offset; break; }
        if (!off) return ElfError::from(PE::InvalidDynamicSectionTable);
      }
      uint64_t end;
      if (!checked_add(*off, dyn[DT_RELSZ], end)) return ElfError::from(PE::OutOfBounds);
      relocs.emplace();
      if (slice(Range{*off, end}, *relocs)) return ElfError::from(PE::InvalidDynamicSectionTable);
    }
    if (uint64_t va = dyn[DT_SYMTAB]) {
      const Shdr* s = nullptr;
      for (auto& h : shdrs)
        if (h.sh_addr == va) { s = &h; break; }
      if (!s) return ElfError::from(PE::InvalidDynamicSectionTable);
      if (s->sh_type != SHT_SYMTAB && s->sh_type != SHT_DYNSYM)
        return ElfError::from(PE::InvalidSectionHeader);
      uint64_t end;
      if (!checked_add(s->sh_offset, s->sh_size, end)) return ElfError::from(PE::OutOfBounds);
      dynsyms.emplace();
      if (auto e = slice(Range{s->sh_offset, end}, *dynsyms)) return ElfError::from(*e);
    }
    return std::nullopt;
  }

  // First section called `name` (sbpf get_section: a name that fails to parse aborts the search).
  Expected<Shdr, ElfError> section(std::string_view want) const {
    for (auto& s : shdrs) {
      std::string name;
      if (auto e = section_name(s, name)) return ElfError::from(*e);
      if (name == want) return s;
    }
    return ElfError{ElfError::SectionNotFound, {}, std::string(want)};
  }
};

// sbpf Executable::validate.
std::optional<ElfError> validate(const Elf64& elf) {
  const Ehdr& h = elf.eh;
  if (h.ident[4] != 2) return ElfError{ElfError::WrongClass};
  if (h.ident[5] != 1) return ElfError{ElfError::WrongEndianess};
  if (h.ident[7] != 0) return ElfError{ElfError::WrongAbi};
  if (h.e_machine != EM_BPF && h.e_machine != EM_SBPF) return ElfError{ElfError::WrongMachine};
  if (h.e_type != ET_DYN) return ElfError{ElfError::WrongType};

  int texts = 0;
  for (auto& s : elf.shdrs) {
    std::string name;
    if (!elf.section_name(s, name) && name == ".text") ++texts;
  }
  if (texts != 1) return ElfError{ElfError::NotOneTextSection};

  for (auto& s : elf.shdrs) {
    std::string name;
    if (elf.section_name(s, name)) continue;
    bool writable = (s.sh_flags & (SHF_ALLOC | SHF_WRITE)) == (SHF_ALLOC | SHF_WRITE);
    if (name.starts_with(".bss") ||
        (writable && name.starts_with(".data") && !name.starts_with(".data.rel")))
      return ElfError{ElfError::WritableSectionNotSupported, {}, name};
  }
  for (auto& s : elf.shdrs) {
    uint64_t end;
    if (!checked_add(s.sh_offset, s.sh_size, end) || end > elf.bytes.size() || s.sh_offset > end)
      return ElfError{ElfError::ValueOutOfBounds};
  }
  auto text = elf.section(".text");
  if (!text) return text.error();
  if (!vm_range(*text).contains(h.e_entry)) return ElfError{ElfError::EntrypointOutOfBounds};
  return std::nullopt;
}

void put_u32(std::vector<uint8_t>& b, uint64_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }
uint32_t get_u32(const std::vector<uint8_t>& b, uint64_t off) { return read_at<uint32_t>(b.data() + off); }
bool fits(const std::vector<uint8_t>& b, uint64_t off, uint64_t n) {
  return off <= b.size() && n <= b.size() - off;
}

// register_function_hashed_legacy: key = murmur3("entrypoint") for the entrypoint, else murmur3(pc);
// a key that names a syscall, or an existing key with another pc, is a SymbolHashCollision.
Expected<uint32_t, ElfError> register_internal(FunctionRegistry<uint64_t>& fns, const Loader& loader,
                                               std::string_view name, uint64_t pc) {
  uint32_t key = name == "entrypoint" ? hash_symbol_name("entrypoint") : hash_pc(pc);
  if (loader.syscalls.lookup(key) || !fns.register_function(key, name == "entrypoint" ? "entrypoint" : "", pc)) {
    ElfError e{ElfError::SymbolHashCollision};
    e.a = key;
    return e;
  }
  return key;
}

std::optional<ElfError> relocate(FunctionRegistry<uint64_t>& fns, const Loader& loader,
                                 const Elf64& elf, const Shdr& text, std::vector<uint8_t>& bytes) {
  const Config& cfg = loader.config;
  Range tr = file_range(text);
  if (tr.end < tr.begin || tr.end > bytes.size()) return ElfError{ElfError::ValueOutOfBounds};
  const uint64_t count = tr.size() / kInsnSize;

  // PC-relative calls: key them by the hash of their target pc.
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t at = tr.begin + i * kInsnSize;
    Insn insn = decode_insn(bytes.data() + at);
    if (insn.opc != op::CALL_IMM || insn.imm == -1) continue;
    int64_t target = int64_t(i) + 1 + insn.imm;
    if (target < 0 || target >= int64_t(count)) {
      ElfError e{ElfError::RelativeJumpOutOfBounds};
      e.a = i;
      return e;
    }
    auto key = register_internal(fns, loader, "", uint64_t(target));
    if (!key) return key.error();
    put_u32(bytes, at + 4, *key);
  }

  if (!elf.relocs) return std::nullopt;
  for (const Rel& rel : *elf.relocs) {
    const uint64_t r_offset = rel.r_offset;
    const uint32_t type = uint32_t(rel.r_info), sym = uint32_t(rel.r_info >> 32);
    const uint64_t imm_offset = sat_add(r_offset, 4);
    auto symbol = [&]() -> const Sym* {
      return elf.dynsyms && sym < elf.dynsyms->size() ? &(*elf.dynsyms)[sym] : nullptr;
    };
    switch (type) {
      case R_BPF_64_64: {  // lddw of a symbol's address (+ implicit addend in the imm)
        if (!fits(bytes, imm_offset, 4)) return ElfError{ElfError::ValueOutOfBounds};
        uint64_t refd = get_u32(bytes, imm_offset);
        const Sym* s = symbol();
        if (!s) { ElfError e{ElfError::UnknownSymbol}; e.a = sym; return e; }
        uint64_t addr = sat_add(s->st_value, refd);
        if (addr < kRegionSize) addr += kRegionSize;
        if (!fits(bytes, imm_offset, 4)) return ElfError{ElfError::ValueOutOfBounds};
        put_u32(bytes, imm_offset, uint32_t(addr));
        uint64_t hi = sat_add(imm_offset, kInsnSize);
        if (!fits(bytes, hi, 4)) return ElfError{ElfError::ValueOutOfBounds};
        put_u32(bytes, hi, uint32_t(addr >> 32));
        break;
      }
      case R_BPF_64_RELATIVE: {
        if (tr.contains(r_offset)) {  // lddw: 64-bit address split over both imm fields
          uint64_t hi_off = sat_add(sat_add(r_offset, kInsnSize), 4);
          if (!fits(bytes, imm_offset, 4) || !fits(bytes, hi_off, 4))
            return ElfError{ElfError::ValueOutOfBounds};
          uint64_t refd = uint64_t(get_u32(bytes, hi_off)) << 32 | get_u32(bytes, imm_offset);
          if (refd == 0) { ElfError e{ElfError::InvalidVirtualAddress}; e.a = 0; return e; }
          if (refd < kRegionSize) refd += kRegionSize;
          put_u32(bytes, imm_offset, uint32_t(refd));
          put_u32(bytes, hi_off, uint32_t(refd >> 32));
        } else {  // a 64-bit data word; old toolchains stored only the low half at +4
          if (!fits(bytes, imm_offset, 4)) return ElfError{ElfError::ValueOutOfBounds};
          uint64_t refd = kRegionSize + get_u32(bytes, imm_offset);
          if (!fits(bytes, r_offset, 8)) return ElfError{ElfError::ValueOutOfBounds};
          std::memcpy(bytes.data() + r_offset, &refd, 8);
        }
        break;
      }
      case R_BPF_64_32: {  // call: internal function (defined symbol) or syscall (by name hash)
        const Sym* s = symbol();
        if (!s) { ElfError e{ElfError::UnknownSymbol}; e.a = sym; return e; }
        std::string name;
        if (!elf.dynstr || elf.string_in(*elf.dynstr, s->st_name, kSymbolNameMax, name)) {
          ElfError e{ElfError::UnknownSymbol};
          e.a = s->st_name;
          return e;
        }
        uint32_t key;
        if ((s->st_info & 0xf) == STT_FUNC && s->st_value != 0) {
          if (!vm_range(text).contains(s->st_value)) return ElfError{ElfError::ValueOutOfBounds};
          uint64_t pc = (s->st_value - text.sh_addr) / kInsnSize;
          auto k = register_internal(fns, loader, name, pc);
          if (!k) return k.error();
          key = *k;
        } else {
          key = hash_symbol_name(name);
          if (cfg.reject_broken_elfs && !loader.syscalls.lookup(key)) {
            ElfError e{ElfError::UnresolvedSymbol, {}, name};
            e.a = r_offset / kInsnSize;
            e.b = r_offset;
            return e;
          }
        }
        if (!fits(bytes, imm_offset, 4)) return ElfError{ElfError::ValueOutOfBounds};
        put_u32(bytes, imm_offset, key);
        break;
      }
      default: {
        ElfError e{ElfError::UnknownRelocation};
        e.a = type;
        return e;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Expected<SbpfVersion, ElfError> sbpf_version_of(std::span<const uint8_t> elf) {
  if (elf.size() < 0x34) return ElfError{ElfError::ValueOutOfBounds};
  uint32_t flags = read_at<uint32_t>(elf.data() + 0x30);
  return flags <= 4 ? SbpfVersion(flags) : SbpfVersion::Reserved;
}

Expected<Executable, ElfError> Executable::load(std::span<const uint8_t> input, const Loader& loader) {
  const Config& cfg = loader.config;
  auto version = sbpf_version_of(input);
  if (!version) return version.error();
  if (*version < cfg.min_version || *version > cfg.max_version)
    return ElfError{ElfError::UnsupportedSBPFVersion};
  if (*version >= SbpfVersion::V3)  // strict (SIMD-0189) parser: not implemented yet
    return ElfError{ElfError::UnsupportedSBPFVersion};

  Elf64 elf;
  if (auto e = elf.parse(input)) return *e;
  if (auto e = validate(elf)) return *e;

  auto text = elf.section(".text");
  if (!text) return text.error();
  const uint64_t text_vaddr = sat_add(text->sh_addr, kRegionSize);
  if ((cfg.reject_broken_elfs && text->sh_addr != text->sh_offset) || text_vaddr >= kStackStart)
    return ElfError{ElfError::ValueOutOfBounds};

  Executable exe;
  exe.version_ = *version;
  std::vector<uint8_t> bytes(input.begin(), input.end());
  if (auto e = relocate(exe.functions_, loader, elf, *text, bytes)) return *e;

  const uint64_t entry_off = sat_sub(elf.eh.e_entry, text->sh_addr);
  if (entry_off % kInsnSize != 0) return ElfError{ElfError::InvalidEntrypoint};
  exe.entry_pc_ = entry_off / kInsnSize;
  exe.functions_.unregister(hash_symbol_name("entrypoint"));
  if (auto k = register_internal(exe.functions_, loader, "entrypoint", exe.entry_pc_); !k)
    return k.error();

  // Read-only region (optimize_rodata = false): [kProgramStart, kProgramStart + highest) with the
  // ro sections copied at their addresses and everything else zero.
  uint64_t lowest = UINT64_MAX, highest = 0, fill = 0;
  bool invalid_offsets = false;
  struct Slice { uint64_t addr; Range r; };
  std::vector<Slice> slices;
  for (auto& s : elf.shdrs) {
    std::string name;
    if (elf.section_name(s, name)) continue;
    if (name != ".text" && name != ".rodata" && name != ".data.rel.ro" && name != ".eh_frame") continue;
    if (s.sh_addr != s.sh_offset) invalid_offsets = true;
    if ((cfg.reject_broken_elfs && invalid_offsets) || sat_add(s.sh_addr, kRegionSize) > kStackStart)
      return ElfError{ElfError::ValueOutOfBounds};
    Range r = file_range(s);
    if (r.end < r.begin || r.end > bytes.size()) return ElfError{ElfError::ValueOutOfBounds};
    lowest = std::min(lowest, s.sh_addr);
    highest = std::max(highest, sat_add(s.sh_addr, r.size()));
    fill = sat_add(fill, r.size());
    if (r.size()) slices.push_back({s.sh_addr, r});
  }
  if (cfg.reject_broken_elfs && sat_add(lowest, fill) > highest) return ElfError{ElfError::ValueOutOfBounds};
  if (highest > bytes.size()) return ElfError{ElfError::ValueOutOfBounds};
  exe.ro_.assign(highest, 0);
  for (auto& sl : slices) {  // later sections overwrite earlier ones where they overlap
    uint64_t n = std::min(sl.r.size(), highest - sl.addr);
    std::memcpy(exe.ro_.data() + sl.addr, bytes.data() + sl.r.begin, n);
  }
  exe.ro_vaddr_ = kProgramStart;
  exe.text_vaddr_ = text_vaddr;
  exe.text_len_ = file_range(*text).size();
  if (text->sh_addr + exe.text_len_ > exe.ro_.size()) return ElfError{ElfError::ValueOutOfBounds};
  return exe;
}

Executable Executable::from_text(std::span<const uint8_t> text, SbpfVersion version,
                                 FunctionRegistry<uint64_t> functions) {
  Executable exe;
  exe.version_ = version;
  exe.ro_.assign(text.begin(), text.end());
  exe.text_len_ = text.size();
  exe.functions_ = std::move(functions);
  if (auto* e = exe.functions_.lookup_by_name("entrypoint")) exe.entry_pc_ = e->value;
  else exe.functions_.register_function(hash_symbol_name("entrypoint"), "entrypoint", 0);
  return exe;
}

}  // namespace lumio::svm
