// The Cancun interpreter: a switch-dispatched loop over pre-analysed code, a fixed 1024-slot
// stack and byte-addressed memory, both reused across frames of the same depth.
#include "evm/interpreter.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "common/rlp.hpp"
#include "evm/precompiles/precompiles.hpp"

namespace lumio::evm {

const char* status_message(Status s) {
  switch (s) {
    case Status::Success: return "";
    case Status::Revert: return "execution reverted";
    case Status::OutOfGas: return "out of gas";
    case Status::StackUnderflow: return "stack underflow";
    case Status::StackOverflow: return "stack overflow";
    case Status::InvalidOpcode: return "invalid opcode";
    case Status::InvalidJump: return "invalid jump destination";
    case Status::StaticViolation: return "write protection";
    case Status::ReturnDataOutOfBounds: return "return data out of bounds";
    case Status::CallDepth: return "max call depth exceeded";
    case Status::InsufficientBalance: return "insufficient balance for transfer";
    case Status::CreateCollision: return "contract address collision";
    case Status::CodeSizeExceeded: return "max code size exceeded";
    case Status::InvalidCodePrefix: return "invalid code: must not begin with 0xef";
    case Status::InitcodeSizeExceeded: return "max initcode size exceeded";
    case Status::NonceOverflow: return "nonce uint64 overflow";
    case Status::PrecompileFailure: return "out of gas";
  }
  return "unknown";
}

const char* call_kind_name(CallKind k) {
  switch (k) {
    case CallKind::Call: return "CALL";
    case CallKind::CallCode: return "CALLCODE";
    case CallKind::DelegateCall: return "DELEGATECALL";
    case CallKind::StaticCall: return "STATICCALL";
    case CallKind::Create: return "CREATE";
    case CallKind::Create2: return "CREATE2";
    case CallKind::SelfDestruct: return "SELFDESTRUCT";
  }
  return "CALL";
}

std::string op_name(uint8_t op) {
  static const char* const kNames[256] = {
      "STOP", "ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "ADDMOD", "MULMOD", "EXP",
      "SIGNEXTEND", nullptr, nullptr, nullptr, nullptr,
      "LT", "GT", "SLT", "SGT", "EQ", "ISZERO", "AND", "OR", "XOR", "NOT", "BYTE", "SHL", "SHR",
      "SAR", nullptr, nullptr,
      "KECCAK256", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
      nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
      "ADDRESS", "BALANCE", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATALOAD", "CALLDATASIZE",
      "CALLDATACOPY", "CODESIZE", "CODECOPY", "GASPRICE", "EXTCODESIZE", "EXTCODECOPY",
      "RETURNDATASIZE", "RETURNDATACOPY", "EXTCODEHASH",
      "BLOCKHASH", "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID",
      "SELFBALANCE", "BASEFEE", "BLOBHASH", "BLOBBASEFEE", nullptr, nullptr, nullptr, nullptr,
      nullptr,
      "POP", "MLOAD", "MSTORE", "MSTORE8", "SLOAD", "SSTORE", "JUMP", "JUMPI", "PC", "MSIZE",
      "GAS", "JUMPDEST", "TLOAD", "TSTORE", "MCOPY", "PUSH0"};
  if (op >= 0x60 && op <= 0x7f) return "PUSH" + std::to_string(op - 0x5f);
  if (op >= 0x80 && op <= 0x8f) return "DUP" + std::to_string(op - 0x7f);
  if (op >= 0x90 && op <= 0x9f) return "SWAP" + std::to_string(op - 0x8f);
  if (op >= 0xa0 && op <= 0xa4) return "LOG" + std::to_string(op - 0xa0);
  switch (op) {
    case 0xf0: return "CREATE";
    case 0xf1: return "CALL";
    case 0xf2: return "CALLCODE";
    case 0xf3: return "RETURN";
    case 0xf4: return "DELEGATECALL";
    case 0xf5: return "CREATE2";
    case 0xfa: return "STATICCALL";
    case 0xfd: return "REVERT";
    case 0xfe: return "INVALID";
    case 0xff: return "SELFDESTRUCT";
  }
  if (op < 0x60 && kNames[op]) return kNames[op];
  static const char* kHex = "0123456789abcdef";
  std::string hex = op >> 4 ? std::string{kHex[op >> 4], kHex[op & 15]} : std::string{kHex[op]};
  return "opcode 0x" + hex + " not defined";  // geth's "%#x" spelling
}

Address create_address(const Address& sender, uint64_t nonce) {
  rlp::Encoder e;
  e.begin_list().add(sender).add_uint(nonce).end_list();
  Hash32 h = keccak256(e.bytes());
  Address a;
  std::memcpy(a.data(), h.data() + 12, 20);
  return a;
}

Address create2_address(const Address& sender, const Hash32& salt, BytesView initcode) {
  uint8_t buf[85];
  buf[0] = 0xff;
  std::memcpy(buf + 1, sender.data(), 20);
  std::memcpy(buf + 21, salt.data(), 32);
  Hash32 ch = keccak256(initcode);
  std::memcpy(buf + 53, ch.data(), 32);
  Hash32 h = keccak256(BytesView(buf, 85));
  Address a;
  std::memcpy(a.data(), h.data() + 12, 20);
  return a;
}

namespace internal {
namespace {

constexpr int kStackLimit = 1024;
constexpr int kMaxDepth = 1024;
constexpr size_t kMaxCodeSize = 24576;
constexpr size_t kMaxInitcodeSize = 2 * kMaxCodeSize;
constexpr uint64_t kMaxMemory = uint64_t(1) << 32;  // beyond this nothing can pay for it

struct OpInfo {
  int16_t gas = 0;
  int8_t in = 0, out = 0;
  bool defined = false;
};

constexpr std::array<OpInfo, 256> make_table() {
  std::array<OpInfo, 256> t{};
  auto set = [&](int op, int gas, int in, int out) { t[op] = OpInfo{int16_t(gas), int8_t(in), int8_t(out), true}; };
  set(0x00, 0, 0, 0);
  set(0x01, 3, 2, 1); set(0x02, 5, 2, 1); set(0x03, 3, 2, 1); set(0x04, 5, 2, 1);
  set(0x05, 5, 2, 1); set(0x06, 5, 2, 1); set(0x07, 5, 2, 1); set(0x08, 8, 3, 1);
  set(0x09, 8, 3, 1); set(0x0a, 10, 2, 1); set(0x0b, 5, 2, 1);
  for (int op = 0x10; op <= 0x1d; ++op) set(op, 3, 2, 1);
  set(0x15, 3, 1, 1); set(0x19, 3, 1, 1);  // ISZERO, NOT
  set(0x20, 30, 2, 1);
  set(0x30, 2, 0, 1); set(0x31, 100, 1, 1); set(0x32, 2, 0, 1); set(0x33, 2, 0, 1);
  set(0x34, 2, 0, 1); set(0x35, 3, 1, 1); set(0x36, 2, 0, 1); set(0x37, 3, 3, 0);
  set(0x38, 2, 0, 1); set(0x39, 3, 3, 0); set(0x3a, 2, 0, 1); set(0x3b, 100, 1, 1);
  set(0x3c, 100, 4, 0); set(0x3d, 2, 0, 1); set(0x3e, 3, 3, 0); set(0x3f, 100, 1, 1);
  set(0x40, 20, 1, 1);
  for (int op = 0x41; op <= 0x48; ++op) set(op, 2, 0, 1);
  set(0x47, 5, 0, 1);  // SELFBALANCE
  set(0x49, 3, 1, 1); set(0x4a, 2, 0, 1);
  set(0x50, 2, 1, 0); set(0x51, 3, 1, 1); set(0x52, 3, 2, 0); set(0x53, 3, 2, 0);
  set(0x54, 0, 1, 1); set(0x55, 0, 2, 0); set(0x56, 8, 1, 0); set(0x57, 10, 2, 0);
  set(0x58, 2, 0, 1); set(0x59, 2, 0, 1); set(0x5a, 2, 0, 1); set(0x5b, 1, 0, 0);
  set(0x5c, 100, 1, 1); set(0x5d, 100, 2, 0); set(0x5e, 3, 3, 0); set(0x5f, 2, 0, 1);
  for (int op = 0x60; op <= 0x7f; ++op) set(op, 3, 0, 1);
  for (int n = 1; n <= 16; ++n) set(0x7f + n, 3, n, n + 1);
  for (int n = 1; n <= 16; ++n) set(0x8f + n, 3, n + 1, n + 1);
  for (int n = 0; n <= 4; ++n) set(0xa0 + n, 375 * (n + 1), n + 2, 0);
  set(0xf0, 32000, 3, 1); set(0xf1, 100, 7, 1); set(0xf2, 100, 7, 1); set(0xf3, 0, 2, 0);
  set(0xf4, 100, 6, 1); set(0xf5, 32000, 4, 1); set(0xfa, 100, 6, 1); set(0xfd, 0, 2, 0);
  set(0xff, 5000, 1, 0);
  return t;
}
constexpr std::array<OpInfo, 256> kOps = make_table();

Address to_address(const uint256& v) {
  Address a;
  auto be = v.to_be();
  std::memcpy(a.data(), be.data() + 12, 20);
  return a;
}
uint256 from_address(const Address& a) { return uint256::from_be(a.data(), 20); }

uint64_t words(uint64_t n) { return (n + 31) / 32; }
uint64_t memory_cost(uint64_t w) { return 3 * w + w * w / 512; }

}  // namespace

// Code with its JUMPDEST bitmap, padded with zeros on both sides so that a PUSHn immediate
// can be read as one 32-byte word ending at its last byte (and never past the buffer).
struct Vm::Analysis {
  static constexpr size_t kFront = 32, kBack = 33;
  Bytes padded;      // kFront zeros + code + kBack zeros
  size_t size = 0;   // original length
  std::vector<uint8_t> jumpdest;  // 1 where a JUMPDEST opcode (not push data) starts

  const uint8_t* code() const { return padded.data() + kFront; }

  explicit Analysis(BytesView c) : padded(kFront + c.size() + kBack, 0), size(c.size()), jumpdest(c.size(), 0) {
    if (size) std::memcpy(padded.data() + kFront, c.data(), size);
    const uint8_t* p = code();
    for (size_t i = 0; i < size; ++i) {
      uint8_t op = p[i];
      if (op == 0x5b) jumpdest[i] = 1;
      else if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
    }
  }
};

namespace {
// masks[n]: the low n bytes set.
constexpr std::array<uint256, 33> make_push_masks() {
  std::array<uint256, 33> m{};
  for (int n = 0; n <= 32; ++n)
    for (int b = 0; b < n * 8; ++b) m[size_t(n)].w[b / 64] |= uint64_t(1) << (b % 64);
  return m;
}
constexpr std::array<uint256, 33> kPushMasks = make_push_masks();

// The n-byte big-endian immediate at p (n <= 32; 32 readable bytes end at p + n).
inline uint256 read_push(const uint8_t* p, size_t n) {
  return uint256::load_be32(p + n - 32) & kPushMasks[n];
}
}  // namespace

struct Vm::Buffers {
  uint256 stack[kStackLimit];
  Bytes memory;
};

Vm::Vm(State& state, const BlockEnv& env, const TxContext& tx, Tracer* tracer)
    : state_(state), env_(env), tx_(tx), tracer_(tracer) {}
Vm::~Vm() = default;

Vm::Buffers& Vm::buffers(int depth) {
  while (int(buffers_.size()) <= depth) buffers_.push_back(std::make_unique<Buffers>());
  return *buffers_[size_t(depth)];
}

// Analyses are cached per thread by code hash (deployed code is immutable). The cache is
// bounded by bytes, not entries, so many large contracts cannot exhaust memory.
std::shared_ptr<const Vm::Analysis> Vm::analysis_for(const Address& addr) {
  constexpr size_t kCacheBytes = 64 << 20;
  thread_local std::unordered_map<Hash32, std::shared_ptr<const Analysis>> cache;
  thread_local size_t cache_bytes = 0;
  Hash32 h = state_.code_hash(addr);
  auto it = cache.find(h);
  if (it != cache.end()) return it->second;
  auto a = std::make_shared<const Analysis>(state_.code(addr));
  size_t bytes = a->padded.size() + a->jumpdest.size() + 128;
  if (cache_bytes + bytes > kCacheBytes) {
    cache.clear();
    cache_bytes = 0;
  }
  cache.emplace(h, a);
  cache_bytes += bytes;
  return a;
}

CallResult Vm::call(const Message& msg) {
  if (tracer_)
  {
    // geth's view of a frame: DELEGATECALL/CALLCODE run `code_address`'s code for the
    // calling contract (the recipient), which is also the frame's `from`.
    bool borrowed = msg.kind == CallKind::CallCode || msg.kind == CallKind::DelegateCall;
    tracer_->on_enter(msg.kind, borrowed ? msg.recipient : msg.sender,
                      borrowed ? msg.code_address : msg.recipient, msg.value, uint64_t(msg.gas),
                      msg.input, msg.depth);
  }
  CallResult res;
  res.gas_left = msg.gas;
  auto finish = [&](CallResult r) {
    if (tracer_)
      tracer_->on_exit(r.output, uint64_t(msg.gas - r.gas_left), r.status, msg.depth);
    return r;
  };
  if (msg.depth > kMaxDepth) {
    res.status = Status::CallDepth;
    return finish(std::move(res));
  }
  bool transfers = msg.kind == CallKind::Call || msg.kind == CallKind::CallCode;
  if (transfers && !msg.value.is_zero() && state_.balance(msg.sender) < msg.value) {
    res.status = Status::InsufficientBalance;
    return finish(std::move(res));
  }
  size_t snap = state_.snapshot();
  bool precompile = precompiles::is_precompile(msg.code_address);
  if (msg.kind == CallKind::Call) {
    if (!precompile && msg.value.is_zero() && !state_.exists(msg.recipient))
      return finish(std::move(res));  // calling nothing: no touch, no effect
    state_.sub_balance(msg.sender, msg.value);
    state_.add_balance(msg.recipient, msg.value);
  } else if (msg.kind == CallKind::StaticCall) {
    state_.touch(msg.recipient);  // geth touches with a zero-value AddBalance
  }
  if (precompile) {
    auto r = precompiles::run(msg.code_address, msg.input, uint64_t(msg.gas));
    if (r.success) {
      res.gas_left = msg.gas - int64_t(r.gas_used);
      res.output = std::move(r.output);
    } else {
      res.status = Status::PrecompileFailure;
      res.gas_left = 0;
    }
  } else {
    auto code = analysis_for(msg.code_address);
    if (code->size) res = execute(msg, *code);
  }
  if (res.status != Status::Success) {
    state_.revert(snap);
    if (res.status != Status::Revert) res.gas_left = 0;
  }
  return finish(std::move(res));
}

CallResult Vm::create(const Message& in) {
  Message msg = in;
  const Address& sender = msg.sender;
  CallResult res;
  res.gas_left = msg.gas;
  uint64_t nonce = state_.nonce(sender);
  msg.recipient = msg.kind == CallKind::Create2 ? create2_address(sender, msg.salt, msg.input)
                                                 : create_address(sender, nonce);
  msg.code_address = msg.recipient;
  if (tracer_)
    tracer_->on_enter(msg.kind, sender, msg.recipient, msg.value, uint64_t(msg.gas), msg.input, msg.depth);
  auto finish = [&](CallResult r) {
    if (tracer_) tracer_->on_exit(r.output, uint64_t(msg.gas - r.gas_left), r.status, msg.depth);
    return r;
  };
  if (msg.depth > kMaxDepth) {
    res.status = Status::CallDepth;
    return finish(std::move(res));
  }
  if (state_.balance(sender) < msg.value) {
    res.status = Status::InsufficientBalance;
    return finish(std::move(res));
  }
  if (nonce + 1 == 0) {
    res.status = Status::NonceOverflow;
    return finish(std::move(res));
  }
  state_.set_nonce(sender, nonce + 1);
  state_.warm_address(msg.recipient);
  if (state_.nonce(msg.recipient) != 0 || state_.code_hash(msg.recipient) != kEmptyKeccak ||
      state_.has_storage(msg.recipient)) {
    res.status = Status::CreateCollision;
    res.gas_left = 0;
    return finish(std::move(res));
  }
  size_t snap = state_.snapshot();
  state_.create_account(msg.recipient);
  state_.set_nonce(msg.recipient, 1);
  state_.sub_balance(sender, msg.value);
  state_.add_balance(msg.recipient, msg.value);

  if (!msg.input.empty()) {
    Analysis code(msg.input);
    Message run = msg;
    run.input = {};
    res = execute(run, code);
  }
  if (res.status == Status::Success) {
    if (res.output.size() > kMaxCodeSize) {
      res.status = Status::CodeSizeExceeded;
    } else if (!res.output.empty() && res.output[0] == 0xef) {
      res.status = Status::InvalidCodePrefix;
    } else {
      int64_t deposit = 200 * int64_t(res.output.size());
      if (res.gas_left < deposit) {
        res.status = Status::OutOfGas;
      } else {
        res.gas_left -= deposit;
        state_.set_code(msg.recipient, res.output);
        res.created = msg.recipient;
      }
    }
  }
  if (res.status != Status::Success) {
    state_.revert(snap);
    if (res.status != Status::Revert) {
      res.gas_left = 0;
      res.output.clear();
    }
  }
  return finish(std::move(res));
}

CallResult Vm::execute(const Message& msg, const Analysis& an) {
  Buffers& buf = buffers(msg.depth);
  uint256* const stack = buf.stack;
  Bytes& mem = buf.memory;
  mem.clear();
  Bytes return_data;
  const uint8_t* code = an.code();
  const size_t code_size = an.size;
  int64_t gas = msg.gas;
  int sp = 0;  // number of stack items
  size_t pc = 0;
  Status status = Status::Success;
  Bytes output;

#define TOP(i) stack[sp - 1 - (i)]
#define FAIL(s)      \
  do {               \
    status = (s);    \
    goto done;       \
  } while (0)
#define CHARGE(n)                         \
  do {                                    \
    gas -= int64_t(n);                    \
    if (gas < 0) FAIL(Status::OutOfGas);  \
  } while (0)

  // Expands memory to cover [off, off+len); sets o/n to the range as u64. len 0 never expands.
  auto expand = [&](const uint256& off, const uint256& len, uint64_t& o, uint64_t& n) -> bool {
    if (len.is_zero()) {
      o = n = 0;
      return true;
    }
    if (!off.fits_u64() || !len.fits_u64() || off.w[0] > kMaxMemory || len.w[0] > kMaxMemory)
      return false;
    o = off.w[0];
    n = len.w[0];
    uint64_t end = o + n;
    if (end > mem.size()) {
      uint64_t new_words = words(end), old_words = mem.size() / 32;
      gas -= int64_t(memory_cost(new_words) - memory_cost(old_words));
      if (gas < 0) return false;
      mem.resize(new_words * 32, 0);
    }
    return true;
  };
  // Copies src[from, from+n) into memory at o, zero-filling past the end of src.
  auto copy_padded = [&](uint64_t o, uint64_t n, BytesView src, const uint256& from) {
    if (n == 0) return;
    size_t avail = 0, start = 0;
    if (from.fits_u64() && from.w[0] < src.size()) {
      start = size_t(from.w[0]);
      avail = std::min<size_t>(n, src.size() - start);
    }
    if (avail) std::memcpy(mem.data() + o, src.data() + start, avail);
    if (avail < n) std::memset(mem.data() + o + avail, 0, n - avail);
  };

  for (;;) {
    const uint8_t op = code[pc];
    const OpInfo& info = kOps[op];
    if (tracer_) {
      StepInfo st{pc, op, uint64_t(gas < 0 ? 0 : gas), uint64_t(info.gas), msg.depth + 1,
                  state_.refund(), std::span<const uint256>(stack, size_t(sp)),
                  BytesView(mem.data(), mem.size()), msg.recipient};
      tracer_->on_step(st, state_);
    }
    const int64_t gas_before = gas;
    if (!info.defined) FAIL(Status::InvalidOpcode);
    if (sp < info.in) FAIL(Status::StackUnderflow);
    if (sp - info.in + info.out > kStackLimit) FAIL(Status::StackOverflow);
    CHARGE(info.gas);

    switch (op) {
      case 0x00: goto done;
      case 0x01: TOP(1) = TOP(0) + TOP(1); --sp; break;
      case 0x02: TOP(1) = TOP(0) * TOP(1); --sp; break;
      case 0x03: TOP(1) = TOP(0) - TOP(1); --sp; break;
      case 0x04: TOP(1) = TOP(0) / TOP(1); --sp; break;
      case 0x05: TOP(1) = sdiv(TOP(0), TOP(1)); --sp; break;
      case 0x06: TOP(1) = TOP(0) % TOP(1); --sp; break;
      case 0x07: TOP(1) = smod(TOP(0), TOP(1)); --sp; break;
      case 0x08: TOP(2) = addmod(TOP(0), TOP(1), TOP(2)); sp -= 2; break;
      case 0x09: TOP(2) = mulmod(TOP(0), TOP(1), TOP(2)); sp -= 2; break;
      case 0x0a:
        CHARGE(50 * TOP(1).byte_length());
        TOP(1) = lumio::exp(TOP(0), TOP(1));
        --sp;
        break;
      case 0x0b: TOP(1) = signextend(TOP(0), TOP(1)); --sp; break;
      case 0x10: TOP(1) = uint256(TOP(0) < TOP(1)); --sp; break;
      case 0x11: TOP(1) = uint256(TOP(0) > TOP(1)); --sp; break;
      case 0x12: TOP(1) = uint256(slt(TOP(0), TOP(1))); --sp; break;
      case 0x13: TOP(1) = uint256(sgt(TOP(0), TOP(1))); --sp; break;
      case 0x14: TOP(1) = uint256(TOP(0) == TOP(1)); --sp; break;
      case 0x15: TOP(0) = uint256(TOP(0).is_zero()); break;
      case 0x16: TOP(1) = TOP(0) & TOP(1); --sp; break;
      case 0x17: TOP(1) = TOP(0) | TOP(1); --sp; break;
      case 0x18: TOP(1) = TOP(0) ^ TOP(1); --sp; break;
      case 0x19: TOP(0) = ~TOP(0); break;
      case 0x1a: TOP(1) = lumio::byte(TOP(0), TOP(1)); --sp; break;
      case 0x1b:
        TOP(1) = TOP(0).fits_u64() ? TOP(1) << TOP(0).w[0] : uint256();
        --sp;
        break;
      case 0x1c:
        TOP(1) = TOP(0).fits_u64() ? TOP(1) >> TOP(0).w[0] : uint256();
        --sp;
        break;
      case 0x1d: TOP(1) = sar(TOP(0), TOP(1)); --sp; break;
      case 0x20: {  // KECCAK256
        uint64_t o, n;
        if (!expand(TOP(0), TOP(1), o, n)) FAIL(Status::OutOfGas);
        CHARGE(6 * words(n));
        TOP(1) = uint256::from_be(keccak256(BytesView(mem.data() + o, n)));
        --sp;
        break;
      }
      case 0x30: stack[sp++] = from_address(msg.recipient); break;
      case 0x31: {  // BALANCE
        Address a = to_address(TOP(0));
        if (!state_.warm_address(a)) CHARGE(2500);
        TOP(0) = state_.balance(a);
        break;
      }
      case 0x32: stack[sp++] = from_address(tx_.origin); break;
      case 0x33: stack[sp++] = from_address(msg.sender); break;
      case 0x34: stack[sp++] = msg.value; break;
      case 0x35: {  // CALLDATALOAD
        uint8_t word[32] = {};
        const uint256& i = TOP(0);
        if (i.fits_u64() && i.w[0] < msg.input.size()) {
          size_t n = std::min<size_t>(32, msg.input.size() - i.w[0]);
          std::memcpy(word, msg.input.data() + i.w[0], n);
        }
        TOP(0) = uint256::load_be32(word);
        break;
      }
      case 0x36: stack[sp++] = uint256(msg.input.size()); break;
      case 0x37:    // CALLDATACOPY
      case 0x39:    // CODECOPY
      case 0x3e: {  // RETURNDATACOPY
        uint64_t o, n;
        if (!expand(TOP(0), TOP(2), o, n)) FAIL(Status::OutOfGas);
        CHARGE(3 * words(n));
        if (op == 0x3e) {
          const uint256& from = TOP(1);
          if (!from.fits_u64() || from.w[0] + n < from.w[0] || from.w[0] + n > return_data.size())
            FAIL(Status::ReturnDataOutOfBounds);
          if (n) std::memcpy(mem.data() + o, return_data.data() + from.w[0], n);
        } else {
          BytesView src = op == 0x37 ? msg.input : BytesView(code, code_size);
          copy_padded(o, n, src, TOP(1));
        }
        sp -= 3;
        break;
      }
      case 0x38: stack[sp++] = uint256(code_size); break;
      case 0x3a: stack[sp++] = tx_.gas_price; break;
      case 0x3b: {  // EXTCODESIZE
        Address a = to_address(TOP(0));
        if (!state_.warm_address(a)) CHARGE(2500);
        TOP(0) = uint256(state_.code(a).size());
        break;
      }
      case 0x3c: {  // EXTCODECOPY
        Address a = to_address(TOP(0));
        uint64_t o, n;
        if (!expand(TOP(1), TOP(3), o, n)) FAIL(Status::OutOfGas);
        CHARGE(3 * words(n));
        if (!state_.warm_address(a)) CHARGE(2500);
        copy_padded(o, n, state_.code(a), TOP(2));
        sp -= 4;
        break;
      }
      case 0x3d: stack[sp++] = uint256(return_data.size()); break;
      case 0x3f: {  // EXTCODEHASH
        Address a = to_address(TOP(0));
        if (!state_.warm_address(a)) CHARGE(2500);
        TOP(0) = state_.is_empty(a) ? uint256() : uint256::from_be(state_.code_hash(a));
        break;
      }
      case 0x40: {  // BLOCKHASH
        const uint256& n = TOP(0);
        uint256 r;
        if (n.fits_u64() && n.w[0] < env_.number && env_.number - n.w[0] <= 256 && env_.block_hash)
          r = uint256::from_be(env_.block_hash(n.w[0]));
        TOP(0) = r;
        break;
      }
      case 0x41: stack[sp++] = from_address(env_.coinbase); break;
      case 0x42: stack[sp++] = uint256(env_.timestamp); break;
      case 0x43: stack[sp++] = uint256(env_.number); break;
      case 0x44: stack[sp++] = uint256::from_be(env_.prev_randao); break;
      case 0x45: stack[sp++] = uint256(env_.gas_limit); break;
      case 0x46: stack[sp++] = uint256(env_.chain_id); break;
      case 0x47: stack[sp++] = state_.balance(msg.recipient); break;
      case 0x48: stack[sp++] = env_.base_fee; break;
      case 0x49: {  // BLOBHASH
        const uint256& i = TOP(0);
        uint256 r;
        if (tx_.blob_hashes && i.fits_u64() && i.w[0] < tx_.blob_hashes->size())
          r = uint256::from_be((*tx_.blob_hashes)[i.w[0]]);
        TOP(0) = r;
        break;
      }
      case 0x4a: stack[sp++] = env_.blob_base_fee; break;
      case 0x50: --sp; break;
      case 0x51: {  // MLOAD
        uint64_t o, n;
        if (!expand(TOP(0), uint256(32), o, n)) FAIL(Status::OutOfGas);
        TOP(0) = uint256::load_be32(mem.data() + o);
        break;
      }
      case 0x52: {  // MSTORE
        uint64_t o, n;
        if (!expand(TOP(0), uint256(32), o, n)) FAIL(Status::OutOfGas);
        TOP(1).store_be(mem.data() + o);
        sp -= 2;
        break;
      }
      case 0x53: {  // MSTORE8
        uint64_t o, n;
        if (!expand(TOP(0), uint256(1), o, n)) FAIL(Status::OutOfGas);
        mem[o] = uint8_t(TOP(1).w[0]);
        sp -= 2;
        break;
      }
      case 0x54: {  // SLOAD
        CHARGE(state_.warm_slot(msg.recipient, TOP(0)) ? 100 : 2100);
        TOP(0) = state_.storage(msg.recipient, TOP(0));
        break;
      }
      case 0x55: {  // SSTORE (EIP-2200 / EIP-2929 / EIP-3529)
        if (msg.is_static) FAIL(Status::StaticViolation);
        if (gas <= 2300) FAIL(Status::OutOfGas);
        const uint256 key = TOP(0), value = TOP(1);
        sp -= 2;
        int64_t cost = 0;
        if (!state_.warm_slot(msg.recipient, key)) cost += 2100;
        uint256 current = state_.storage(msg.recipient, key);
        if (current == value) {
          cost += 100;
        } else {
          uint256 original = state_.original_storage(msg.recipient, key);
          if (original == current) {
            if (original.is_zero()) {
              cost += 20000;
            } else {
              cost += 2900;
              if (value.is_zero()) state_.add_refund(4800);
            }
          } else {
            cost += 100;
            if (!original.is_zero()) {
              if (current.is_zero()) state_.add_refund(-4800);
              else if (value.is_zero()) state_.add_refund(4800);
            }
            if (original == value) state_.add_refund(original.is_zero() ? 19900 : 2800);
          }
        }
        CHARGE(cost);
        state_.set_storage(msg.recipient, key, value);
        break;
      }
      case 0x56: {  // JUMP
        const uint256& d = TOP(0);
        if (!d.fits_u64() || d.w[0] >= code_size || !an.jumpdest[d.w[0]]) FAIL(Status::InvalidJump);
        pc = size_t(d.w[0]);
        --sp;
        if (tracer_) tracer_->on_cost(uint64_t(gas_before - gas));
        continue;
      }
      case 0x57: {  // JUMPI
        if (!TOP(1).is_zero()) {
          const uint256& d = TOP(0);
          if (!d.fits_u64() || d.w[0] >= code_size || !an.jumpdest[d.w[0]])
            FAIL(Status::InvalidJump);
          pc = size_t(d.w[0]);
          sp -= 2;
          if (tracer_) tracer_->on_cost(uint64_t(gas_before - gas));
          continue;
        }
        sp -= 2;
        break;
      }
      case 0x58: stack[sp++] = uint256(pc); break;
      case 0x59: stack[sp++] = uint256(mem.size()); break;
      case 0x5a: stack[sp++] = uint256(uint64_t(gas)); break;
      case 0x5b: break;
      case 0x5c: TOP(0) = state_.transient(msg.recipient, TOP(0)); break;
      case 0x5d:
        if (msg.is_static) FAIL(Status::StaticViolation);
        state_.set_transient(msg.recipient, TOP(0), TOP(1));
        sp -= 2;
        break;
      case 0x5e: {  // MCOPY
        const uint256 &dst = TOP(0), &src = TOP(1), &len = TOP(2);
        uint64_t o, n, so, sn;
        if (!expand(src, len, so, sn) || !expand(dst, len, o, n)) FAIL(Status::OutOfGas);
        CHARGE(3 * words(n));
        if (n) std::memmove(mem.data() + o, mem.data() + so, n);
        sp -= 3;
        break;
      }
      case 0x5f: stack[sp++] = uint256(); break;
      case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
      case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f:
        stack[sp] = stack[sp - 1 - (op - 0x80)];
        ++sp;
        break;
      case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
      case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f:
        std::swap(TOP(0), TOP(op - 0x8f));
        break;
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: {  // LOGn
        if (msg.is_static) FAIL(Status::StaticViolation);
        int ntopics = op - 0xa0;
        uint64_t o, n;
        if (!expand(TOP(0), TOP(1), o, n)) FAIL(Status::OutOfGas);
        CHARGE(8 * n);
        Log log;
        log.address = msg.recipient;
        for (int i = 0; i < ntopics; ++i) log.topics.push_back(TOP(2 + i).to_be());
        log.data.assign(mem.data() + o, mem.data() + o + n);
        if (tracer_) tracer_->on_log(log);
        state_.add_log(std::move(log));
        sp -= 2 + ntopics;
        break;
      }
      case 0xf0: case 0xf5: {  // CREATE, CREATE2
        if (msg.is_static) FAIL(Status::StaticViolation);
        const bool is2 = op == 0xf5;
        uint256 value = TOP(0);
        uint64_t o, n;
        if (!expand(TOP(1), TOP(2), o, n)) FAIL(Status::OutOfGas);
        if (n > kMaxInitcodeSize) FAIL(Status::OutOfGas);
        CHARGE((is2 ? 8 : 2) * words(n));
        Message m;
        m.kind = is2 ? CallKind::Create2 : CallKind::Create;
        m.depth = msg.depth + 1;
        m.sender = msg.recipient;
        m.value = value;
        if (is2) m.salt = TOP(3).to_be();
        Bytes initcode(mem.data() + o, mem.data() + o + n);
        m.input = initcode;
        m.gas = gas - gas / 64;
        gas -= m.gas;
        sp -= is2 ? 4 : 3;
        if (tracer_) tracer_->on_cost(uint64_t(gas_before - gas));
        CallResult r = create(m);
        gas += r.gas_left;
        stack[sp++] = r.status == Status::Success ? from_address(r.created) : uint256();
        return_data = r.status == Status::Revert ? std::move(r.output) : Bytes();
        pc += 1;
        continue;
      }
      case 0xf1: case 0xf2: case 0xf4: case 0xfa: {  // CALL, CALLCODE, DELEGATECALL, STATICCALL
        const bool has_value = op == 0xf1 || op == 0xf2;
        const uint256 gas_req = TOP(0);
        const Address to = to_address(TOP(1));
        const uint256 value = has_value ? TOP(2) : uint256();
        const int a = has_value ? 3 : 2;
        uint64_t in_o, in_n, out_o, out_n;
        if (!state_.warm_address(to)) CHARGE(2500);
        if (!expand(TOP(a), TOP(a + 1), in_o, in_n) || !expand(TOP(a + 2), TOP(a + 3), out_o, out_n))
          FAIL(Status::OutOfGas);
        if (!value.is_zero()) {
          CHARGE(9000);
          if (op == 0xf1 && state_.is_empty(to)) CHARGE(25000);
        }
        if (op == 0xf1 && msg.is_static && !value.is_zero()) FAIL(Status::StaticViolation);
        int64_t avail = gas - gas / 64;
        int64_t callee_gas = gas_req.fits_u64() && gas_req.w[0] < uint64_t(avail) ? int64_t(gas_req.w[0]) : avail;
        gas -= callee_gas;
        if (tracer_) tracer_->on_cost(uint64_t(gas_before - gas));
        if (!value.is_zero()) callee_gas += 2300;
        sp -= has_value ? 7 : 6;
        Message m;
        m.depth = msg.depth + 1;
        m.gas = callee_gas;
        m.input = BytesView(mem.data() + in_o, in_n);
        m.code_address = to;
        switch (op) {
          case 0xf1:
            m.kind = CallKind::Call;
            m.sender = msg.recipient;
            m.recipient = to;
            m.value = value;
            m.is_static = msg.is_static;
            break;
          case 0xf2:
            m.kind = CallKind::CallCode;
            m.sender = msg.recipient;
            m.recipient = msg.recipient;
            m.value = value;
            m.is_static = msg.is_static;
            break;
          case 0xf4:
            m.kind = CallKind::DelegateCall;
            m.sender = msg.sender;
            m.recipient = msg.recipient;
            m.value = msg.value;
            m.is_static = msg.is_static;
            break;
          default:
            m.kind = CallKind::StaticCall;
            m.sender = msg.recipient;
            m.recipient = to;
            m.is_static = true;
            break;
        }
        // The callee may reuse deeper buffers but never ours, so the input view stays valid.
        CallResult r = call(m);
        gas += r.gas_left;
        stack[sp++] = uint256(r.status == Status::Success);
        if (r.status == Status::Success || r.status == Status::Revert) {
          size_t n = std::min<size_t>(out_n, r.output.size());
          if (n) std::memcpy(mem.data() + out_o, r.output.data(), n);
          return_data = std::move(r.output);
        } else {
          return_data.clear();
        }
        pc += 1;
        continue;
      }
      case 0xf3: case 0xfd: {  // RETURN, REVERT
        uint64_t o, n;
        if (!expand(TOP(0), TOP(1), o, n)) FAIL(Status::OutOfGas);
        output.assign(mem.data() + o, mem.data() + o + n);
        if (op == 0xfd) status = Status::Revert;
        goto done;
      }
      case 0xff: {  // SELFDESTRUCT (EIP-6780)
        if (msg.is_static) FAIL(Status::StaticViolation);
        Address beneficiary = to_address(TOP(0));
        if (!state_.warm_address(beneficiary)) CHARGE(2600);
        uint256 bal = state_.balance(msg.recipient);
        if (!bal.is_zero() && state_.is_empty(beneficiary)) CHARGE(25000);
        if (tracer_) tracer_->on_cost(uint64_t(gas_before - gas));
        state_.sub_balance(msg.recipient, bal);
        state_.add_balance(beneficiary, bal);
        if (state_.created_in_tx(msg.recipient)) state_.mark_selfdestruct(msg.recipient);
        if (tracer_) {
          tracer_->on_enter(CallKind::SelfDestruct, msg.recipient, beneficiary, bal, 0, {}, msg.depth + 1);
          tracer_->on_exit({}, 0, Status::Success, msg.depth + 1);
        }
        goto done;
      }
      default:
        if (op >= 0x60 && op <= 0x7f) {  // PUSHn; code is padded past its end
          int n = op - 0x5f;
          stack[sp++] = read_push(code + pc + 1, size_t(n));
          if (tracer_) tracer_->on_cost(uint64_t(gas_before - gas));
          pc += 1 + size_t(n);
          continue;
        }
        FAIL(Status::InvalidOpcode);
    }
    if (tracer_) tracer_->on_cost(uint64_t(gas_before - gas));
    ++pc;
    if (pc >= code_size) break;  // running off the end is STOP
  }
done:
#undef TOP
#undef FAIL
#undef CHARGE
  if (status != Status::Success && status != Status::Revert) {
    if (tracer_) tracer_->on_fault(status);
    return CallResult{status, 0, {}, {}};
  }
  return CallResult{status, gas, std::move(output), {}};
}

}  // namespace internal
}  // namespace lumio::evm
