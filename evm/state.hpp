// The EVM's view of world state: a journaled cache (like geth's StateDB) over a read-only
// backend. Everything a transaction does is recorded here, can be rolled back to a snapshot,
// and comes out as a plain StateDiff that the caller applies to its own store.
#pragma once
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/bytes.hpp"
#include "common/hash.hpp"
#include "common/uint256.hpp"

namespace lumio::evm {

struct U256Hash {
  size_t operator()(const uint256& v) const noexcept {
    return size_t(v.w[0] ^ (v.w[1] * 0x9e3779b97f4a7c15ull) ^ (v.w[2] >> 7) ^ (v.w[3] << 3));
  }
};

// Mixes all 20 bytes: contracts can touch chosen addresses (0x00..01, 0x00..02, ...) whose
// leading bytes are equal, which would pile into one bucket under a prefix hash.
struct AddressHash {
  size_t operator()(const Address& a) const noexcept {
    uint64_t x, y;
    uint32_t z;
    std::memcpy(&x, a.data(), 8);
    std::memcpy(&y, a.data() + 8, 8);
    std::memcpy(&z, a.data() + 16, 4);
    uint64_t h = (x ^ (y * 0x9e3779b97f4a7c15ull) ^ (uint64_t(z) * 0xc2b2ae3d27d4eb4full));
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return size_t(h ^ (h >> 32));
  }
};

struct AccountInfo {
  uint64_t nonce = 0;
  uint256 balance;
  Hash32 code_hash = kEmptyKeccak;  // kEmptyKeccak when the account has no code
};

// What the node's store or a test fixture provides. Reads only; called lazily.
class StateBackend {
 public:
  virtual ~StateBackend() = default;
  virtual std::optional<AccountInfo> account(const Address& addr) = 0;
  virtual uint256 storage(const Address& addr, const uint256& key) = 0;
  virtual Bytes code(const Hash32& code_hash) = 0;
  // Whether the account has any nonzero storage slot (EIP-7610 create collision check).
  virtual bool has_storage(const Address&) { return false; }
};

// Changes since the State was created (or since the last take_diff).
struct AccountDiff {
  Address address;
  bool deleted = false;        // account (and all its storage) removed
  bool storage_cleared = false;  // drop all stored slots before applying `storage`
  AccountInfo info;            // new info when !deleted
  std::vector<std::pair<uint256, uint256>> storage;  // slot -> value (zero = delete)
};
struct StateDiff {
  std::vector<AccountDiff> accounts;
  std::vector<std::pair<Hash32, Bytes>> codes;  // newly deployed code by hash
};

struct Log {
  Address address;
  std::vector<Hash32> topics;
  Bytes data;
};

class State {
 public:
  explicit State(StateBackend& backend) : backend_(backend) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // --- queries ---
  bool exists(const Address& a);  // present, even if empty (or self-destructed this tx)
  bool is_empty(const Address& a);  // EIP-161: absent, or nonce 0, balance 0 and no code
  uint64_t nonce(const Address& a);
  uint256 balance(const Address& a);
  Hash32 code_hash(const Address& a);  // kEmptyKeccak for absent accounts
  const Bytes& code(const Address& a);
  std::shared_ptr<const Bytes> code_ptr(const Address& a);
  uint256 storage(const Address& a, const uint256& key);
  uint256 original_storage(const Address& a, const uint256& key);  // value at tx start
  bool has_storage(const Address& a);  // EIP-7610 collision check: any nonzero slot
  uint256 transient(const Address& a, const uint256& key) const;

  // --- journaled writes ---
  void add_balance(const Address& a, const uint256& v);  // touches the account, even for 0
  void sub_balance(const Address& a, const uint256& v);
  void set_nonce(const Address& a, uint64_t n);
  void set_code(const Address& a, Bytes code);
  void set_storage(const Address& a, const uint256& key, const uint256& v);
  void set_transient(const Address& a, const uint256& key, const uint256& v);
  // A fresh account at `a` (keeps an existing balance), as CREATE does.
  void create_account(const Address& a);
  bool created_in_tx(const Address& a);
  // EIP-6780: marks an account created in this transaction for deletion at tx end and
  // zeroes its balance.
  void mark_selfdestruct(const Address& a);
  void touch(const Address& a);
  void add_log(Log log);
  void add_refund(int64_t v);
  int64_t refund() const { return refund_; }

  // EIP-2929 access lists. warm_* return whether it was already warm.
  bool warm_address(const Address& a);
  bool warm_slot(const Address& a, const uint256& key);
  bool is_warm_address(const Address& a) const { return warm_addrs_.count(a) != 0; }

  size_t snapshot() const { return journal_.size(); }
  void revert(size_t snapshot);

  // --- transaction boundaries ---
  // Starts a transaction: clears logs, refund, access lists and transient storage.
  void begin_tx();
  // Ends a transaction: deletes self-destructed and touched-empty accounts, makes this
  // transaction's writes the "original" values of the next one. Returns the logs.
  std::vector<Log> finish_tx();
  std::vector<Log>& logs() { return logs_; }
  // Changes accumulated since construction or the previous take_diff (call between txs).
  StateDiff take_diff();

 private:
  struct Account {
    bool exists = false;
    bool in_base = false;        // the backend has it (as of the last take_diff)
    AccountInfo info;
    std::shared_ptr<const Bytes> code;  // loaded lazily
    bool storage_reset = false;  // backend storage is gone (created or deleted here)
    bool created_in_tx = false;
    bool selfdestructed = false;
    bool touched = false;        // this tx (EIP-161 cleanup)
    bool dirty = false;          // changed since the last take_diff
    bool wiped = false;          // storage wiped since the last take_diff
    bool code_new = false;       // code deployed since the last take_diff
    std::unordered_map<uint256, uint256, U256Hash> origin;  // committed values (tx start)
    std::unordered_map<uint256, uint256, U256Hash> current;  // written this tx
    std::unordered_set<uint256, U256Hash> written;  // slots written since take_diff
  };
  enum class Op : uint8_t {
    Balance, Nonce, Code, Storage, Transient, Touch, Create, Selfdestruct, WarmAddr, WarmSlot,
    Refund, Log
  };
  struct Entry {
    explicit Entry(Op o, bool f = false, const Address& a = {}) : op(o), flag(f), addr(a) {}
    Op op;
    bool flag = false;     // Storage: slot had a tx-level value; Code: previous code_new
    Address addr;
    uint256 key, prev;     // Balance prev in `prev`; Nonce prev in prev.w[0]
    Hash32 prev_hash;
    std::shared_ptr<const Bytes> prev_code;
    std::unique_ptr<Account> prev_account;  // Create
  };
  struct SlotKey {
    Address addr;
    uint256 key;
    bool operator==(const SlotKey&) const = default;
  };
  struct SlotKeyHash {
    size_t operator()(const SlotKey& k) const noexcept {
      return AddressHash()(k.addr) ^ U256Hash()(k.key);
    }
  };

  Account& load(const Address& a);
  Account& touch_for_write(const Address& a);
  uint256 committed(Account& acc, const Address& a, const uint256& key);

  StateBackend& backend_;
  std::unordered_map<Address, Account, AddressHash> accounts_;
  std::vector<Entry> journal_;
  std::vector<Log> logs_;
  int64_t refund_ = 0;
  std::unordered_set<Address, AddressHash> warm_addrs_;
  std::unordered_set<SlotKey, SlotKeyHash> warm_slots_;
  std::unordered_map<SlotKey, uint256, SlotKeyHash> transient_;
  std::vector<Address> tx_touched_;  // accounts modified in this tx (for finish_tx)
  std::unordered_map<Hash32, std::shared_ptr<const Bytes>> new_codes_;
};

}  // namespace lumio::evm
