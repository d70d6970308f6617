#include "evm/state.hpp"

namespace lumio::evm {
namespace {

const std::shared_ptr<const Bytes> kNoCode = std::make_shared<const Bytes>();

// geth keeps the RIPEMD precompile "touched" even when the touch is reverted (a mainnet
// consensus accident at block 2675119 that every client reproduces).
bool is_ripemd(const Address& a) {
  for (size_t i = 0; i < 19; ++i)
    if (a.bytes[i]) return false;
  return a.bytes[19] == 3;
}

}  // namespace

State::Account& State::load(const Address& a) {
  auto it = accounts_.find(a);
  if (it != accounts_.end()) return it->second;
  Account acc;
  if (auto info = backend_.account(a)) {
    acc.exists = acc.in_base = true;
    acc.info = *info;
  }
  return accounts_.emplace(a, std::move(acc)).first->second;
}

// The account about to be modified: journaled creation if absent, marked touched.
State::Account& State::touch_for_write(const Address& a) {
  Account& acc = load(a);
  if (!acc.exists) {
    Entry e{Op::Create};
    e.addr = a;
    e.prev_account = std::make_unique<Account>(acc);
    journal_.push_back(std::move(e));
    acc.exists = true;
  }
  if (!acc.touched) {
    journal_.push_back(Entry{Op::Touch, false, a});
    acc.touched = true;
    tx_touched_.push_back(a);
  }
  return acc;
}

bool State::exists(const Address& a) { return load(a).exists; }

bool State::is_empty(const Address& a) {
  const Account& acc = load(a);
  return !acc.exists || (acc.info.nonce == 0 && acc.info.balance.is_zero() &&
                         acc.info.code_hash == kEmptyKeccak);
}

uint64_t State::nonce(const Address& a) { return load(a).info.nonce; }
uint256 State::balance(const Address& a) { return load(a).info.balance; }
Hash32 State::code_hash(const Address& a) {
  const Account& acc = load(a);
  return acc.exists ? acc.info.code_hash : kEmptyKeccak;
}

std::shared_ptr<const Bytes> State::code_ptr(const Address& a) {
  Account& acc = load(a);
  if (!acc.code) {
    if (!acc.exists || acc.info.code_hash == kEmptyKeccak)
      acc.code = kNoCode;
    else
      acc.code = std::make_shared<const Bytes>(backend_.code(acc.info.code_hash));
  }
  return acc.code;
}
const Bytes& State::code(const Address& a) { return *code_ptr(a); }

uint256 State::committed(Account& acc, const Address& a, const uint256& key) {
  auto it = acc.origin.find(key);
  if (it != acc.origin.end()) return it->second;
  uint256 v = acc.storage_reset ? uint256() : backend_.storage(a, key);
  acc.origin.emplace(key, v);
  return v;
}

uint256 State::storage(const Address& a, const uint256& key) {
  Account& acc = load(a);
  auto it = acc.current.find(key);
  if (it != acc.current.end()) return it->second;
  return committed(acc, a, key);
}

uint256 State::original_storage(const Address& a, const uint256& key) {
  return committed(load(a), a, key);
}

bool State::has_storage(const Address& a) {
  Account& acc = load(a);
  for (auto& [k, v] : acc.current)
    if (!v.is_zero()) return true;
  for (auto& [k, v] : acc.origin)
    if (!v.is_zero() && !acc.current.count(k)) return true;
  if (acc.storage_reset) return false;
  // The backend may hold slots we have not read; slots we overwrote with zero are still
  // counted by it, which can only over-report in a case (clear-then-create in one tx) that
  // needs a self-destructed account re-created at the same address.
  return backend_.has_storage(a);
}

uint256 State::transient(const Address& a, const uint256& key) const {
  auto it = transient_.find(SlotKey{a, key});
  return it == transient_.end() ? uint256() : it->second;
}

void State::add_balance(const Address& a, const uint256& v) {
  Account& acc = touch_for_write(a);
  if (v.is_zero()) return;
  Entry e{Op::Balance, false, a};
  e.prev = acc.info.balance;
  journal_.push_back(std::move(e));
  acc.info.balance += v;
}

void State::sub_balance(const Address& a, const uint256& v) {
  Account& acc = touch_for_write(a);
  if (v.is_zero()) return;
  Entry e{Op::Balance, false, a};
  e.prev = acc.info.balance;
  journal_.push_back(std::move(e));
  acc.info.balance -= v;
}

void State::set_nonce(const Address& a, uint64_t n) {
  Account& acc = touch_for_write(a);
  Entry e{Op::Nonce, false, a};
  e.prev = uint256(acc.info.nonce);
  journal_.push_back(std::move(e));
  acc.info.nonce = n;
}

void State::set_code(const Address& a, Bytes code) {
  Account& acc = touch_for_write(a);
  code_ptr(a);
  Entry e{Op::Code, acc.code_new, a};
  e.prev_hash = acc.info.code_hash;
  e.prev_code = acc.code;
  journal_.push_back(std::move(e));
  acc.info.code_hash = keccak256(code);
  acc.code = std::make_shared<const Bytes>(std::move(code));
  acc.code_new = true;
}

void State::set_storage(const Address& a, const uint256& key, const uint256& v) {
  Account& acc = touch_for_write(a);
  Entry e{Op::Storage, false, a};
  e.key = key;
  auto it = acc.current.find(key);
  if (it != acc.current.end()) {
    e.flag = true;
    e.prev = it->second;
    it->second = v;
  } else {
    acc.current.emplace(key, v);
  }
  journal_.push_back(std::move(e));
}

void State::set_transient(const Address& a, const uint256& key, const uint256& v) {
  Entry e{Op::Transient, false, a};
  e.key = key;
  uint256& slot = transient_[SlotKey{a, key}];
  e.prev = slot;
  slot = v;
  journal_.push_back(std::move(e));
}

void State::create_account(const Address& a) {
  Account& acc = load(a);
  Entry e{Op::Create, false, a};
  e.prev_account = std::make_unique<Account>(acc);
  journal_.push_back(std::move(e));
  uint256 balance = acc.exists ? acc.info.balance : uint256();
  bool touched = acc.touched;
  acc.exists = true;
  acc.info = AccountInfo{0, balance, kEmptyKeccak};
  acc.code = kNoCode;
  acc.storage_reset = true;
  acc.wiped = true;
  acc.origin.clear();
  acc.current.clear();
  acc.created_in_tx = true;
  acc.selfdestructed = false;
  acc.touched = touched;
  if (!acc.touched) {
    journal_.push_back(Entry{Op::Touch, false, a});
    acc.touched = true;
    tx_touched_.push_back(a);
  }
}

bool State::created_in_tx(const Address& a) { return load(a).created_in_tx; }

void State::mark_selfdestruct(const Address& a) {
  Account& acc = touch_for_write(a);
  journal_.push_back(Entry{Op::Selfdestruct, acc.selfdestructed, a});
  acc.selfdestructed = true;
  // Like geth, the balance is burned now: value sent to it later in this tx (or sent to
  // itself as the beneficiary) is gone.
  Entry e{Op::Balance, false, a};
  e.prev = acc.info.balance;
  journal_.push_back(std::move(e));
  acc.info.balance = 0;
}

void State::touch(const Address& a) { touch_for_write(a); }

void State::add_log(Log log) {
  logs_.push_back(std::move(log));
  journal_.push_back(Entry{Op::Log});
}

void State::add_refund(int64_t v) {
  Entry e{Op::Refund};
  e.prev = uint256(uint64_t(refund_));
  journal_.push_back(std::move(e));
  refund_ += v;
}

bool State::warm_address(const Address& a) {
  if (!warm_addrs_.insert(a).second) return true;
  journal_.push_back(Entry{Op::WarmAddr, false, a});
  return false;
}

bool State::warm_slot(const Address& a, const uint256& key) {
  if (!warm_slots_.insert(SlotKey{a, key}).second) return true;
  Entry e{Op::WarmSlot, false, a};
  e.key = key;
  journal_.push_back(std::move(e));
  return false;
}

void State::revert(size_t snapshot) {
  while (journal_.size() > snapshot) {
    Entry& e = journal_.back();
    switch (e.op) {
      case Op::Balance: accounts_[e.addr].info.balance = e.prev; break;
      case Op::Nonce: accounts_[e.addr].info.nonce = e.prev.w[0]; break;
      case Op::Code: {
        Account& acc = accounts_[e.addr];
        acc.info.code_hash = e.prev_hash;
        acc.code = e.prev_code;
        acc.code_new = e.flag;
        break;
      }
      case Op::Storage: {
        Account& acc = accounts_[e.addr];
        if (e.flag) acc.current[e.key] = e.prev;
        else acc.current.erase(e.key);
        break;
      }
      case Op::Transient: transient_[SlotKey{e.addr, e.key}] = e.prev; break;
      case Op::Touch:
        if (!is_ripemd(e.addr)) accounts_[e.addr].touched = false;
        break;
      case Op::Create: {
        Account& acc = accounts_[e.addr];
        bool touched = acc.touched;
        acc = std::move(*e.prev_account);
        acc.touched = touched;  // the Touch entry (earlier or later) owns this flag
        break;
      }
      case Op::Selfdestruct: accounts_[e.addr].selfdestructed = e.flag; break;
      case Op::WarmAddr: warm_addrs_.erase(e.addr); break;
      case Op::WarmSlot: warm_slots_.erase(SlotKey{e.addr, e.key}); break;
      case Op::Refund: refund_ = int64_t(e.prev.w[0]); break;
      case Op::Log: logs_.pop_back(); break;
    }
    journal_.pop_back();
  }
}

void State::begin_tx() {
  journal_.clear();
  logs_.clear();
  refund_ = 0;
  warm_addrs_.clear();
  warm_slots_.clear();
  transient_.clear();
}

std::vector<Log> State::finish_tx() {
  for (const Address& a : tx_touched_) {
    Account& acc = accounts_[a];
    if (!acc.touched) {
      // Reverted touch; any tx-level writes were reverted too.
      acc.created_in_tx = false;
      continue;
    }
    acc.touched = false;
    acc.dirty = true;
    bool empty = acc.info.nonce == 0 && acc.info.balance.is_zero() &&
                 acc.info.code_hash == kEmptyKeccak;
    if (acc.selfdestructed || (acc.exists && empty)) {
      acc.exists = false;
      acc.info = AccountInfo{};
      acc.code = kNoCode;
      acc.storage_reset = true;
      acc.wiped = true;
      acc.code_new = false;
      acc.origin.clear();
      acc.current.clear();
      acc.written.clear();
    } else {
      for (auto& [k, v] : acc.current) {
        acc.origin[k] = v;
        acc.written.insert(k);
      }
      acc.current.clear();
    }
    acc.created_in_tx = false;
    acc.selfdestructed = false;
  }
  tx_touched_.clear();
  journal_.clear();
  return std::move(logs_);
}

StateDiff State::take_diff() {
  StateDiff diff;
  for (auto& [addr, acc] : accounts_) {
    if (!acc.dirty) continue;
    if (!acc.exists && !acc.in_base) {  // touched but never stored: nothing to delete
      acc.dirty = acc.wiped = acc.code_new = false;
      acc.written.clear();
      continue;
    }
    acc.in_base = acc.exists;
    AccountDiff d;
    d.address = addr;
    d.deleted = !acc.exists;
    d.storage_cleared = acc.wiped;
    d.info = acc.info;
    if (acc.exists) {
      for (const auto& k : acc.written) d.storage.emplace_back(k, acc.origin[k]);
      if (acc.code_new && acc.code) diff.codes.emplace_back(acc.info.code_hash, *acc.code);
    }
    diff.accounts.push_back(std::move(d));
    acc.dirty = acc.wiped = acc.code_new = false;
    acc.written.clear();
  }
  return diff;
}

}  // namespace lumio::evm
