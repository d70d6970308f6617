// Transaction processing (geth's state_transition.go, Cancun): validation with geth's error
// wording, fee purchase, execution, refunds and the coinbase tip.
#include <algorithm>

#include "evm/interpreter.hpp"
#include "evm/precompiles/precompiles.hpp"

namespace lumio::evm {
namespace {

constexpr uint64_t kBlobGasPerBlob = 1 << 17;
constexpr size_t kMaxBlobsPerBlock = 6;
constexpr size_t kMaxInitcodeSize = 49152;

// EIP-55 mixed-case address, as geth's %v prints common.Address.
std::string checksum(const Address& a) {
  std::string hex = to_hex(a, false);
  Hash32 h = keccak256(hex);
  std::string out = "0x";
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    uint8_t nib = (h.bytes[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
    out += (c >= 'a' && nib >= 8) ? char(c - 32) : c;
  }
  return out;
}

std::string dec(const uint256& v) { return v.to_dec_string(); }

void prepare_access_list(State& state, const Address& sender, const std::optional<Address>& to,
                         const Address& coinbase, const AccessList& al) {
  state.warm_address(sender);
  if (to) state.warm_address(*to);
  Address p;
  for (uint8_t i = 1; i <= 0x0a; ++i) {
    p.bytes[19] = i;
    state.warm_address(p);
  }
  for (const auto& e : al) {
    state.warm_address(e.address);
    for (const auto& k : e.storage_keys) state.warm_slot(e.address, uint256::from_be(k));
  }
  state.warm_address(coinbase);  // EIP-3651
}

// Runs the message of a transaction or call at depth 0; returns the frame result.
internal::CallResult run_message(internal::Vm& vm, State& state, const Address& sender,
                                 const std::optional<Address>& to, const uint256& value,
                                 BytesView data, int64_t gas) {
  internal::Message m;
  m.depth = 0;
  m.gas = gas;
  m.sender = sender;
  m.value = value;
  m.input = data;
  if (to) {
    state.set_nonce(sender, state.nonce(sender) + 1);
    m.kind = CallKind::Call;
    m.recipient = m.code_address = *to;
    return vm.call(m);
  }
  m.kind = CallKind::Create;
  return vm.create(m);
}

}  // namespace

uint256 blob_base_fee_from_excess(uint64_t excess_blob_gas) {
  // fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS=1, excess, BLOB_BASE_FEE_UPDATE_FRACTION)
  const uint256 denominator = 3338477;
  uint256 numerator = excess_blob_gas;
  uint256 output = 0, accum = denominator;
  for (uint64_t i = 1; !accum.is_zero() && i < 10000; ++i) {
    output += accum;
    accum = (accum * numerator) / (denominator * uint256(i));
  }
  return output / denominator;
}

TxResult execute_transaction(State& state, const BlockEnv& env, const Transaction& tx,
                             const Address& sender, Tracer* tracer) {
  TxResult res;
  auto invalid = [&](std::string msg) {
    res.invalid = std::move(msg);
    return res;
  };
  // --- preCheck ---
  uint64_t st_nonce = state.nonce(sender);
  if (st_nonce < tx.nonce)
    return invalid("nonce too high: address " + checksum(sender) + ", tx: " + std::to_string(tx.nonce) +
                   " state: " + std::to_string(st_nonce));
  if (st_nonce > tx.nonce)
    return invalid("nonce too low: address " + checksum(sender) + ", tx: " + std::to_string(tx.nonce) +
                   " state: " + std::to_string(st_nonce));
  if (st_nonce + 1 == 0)
    return invalid("nonce has max value: address " + checksum(sender) + ", nonce: " + std::to_string(st_nonce));
  Hash32 ch = state.code_hash(sender);
  if (ch != kEmptyKeccak && !ch.is_zero())
    return invalid("sender not an eoa: address " + checksum(sender) + ", codehash: " + to_hex(ch));
  const uint256 fee_cap = tx.gas_price;
  const uint256 tip_cap = tx.type >= 2 ? tx.max_priority_fee_per_gas : tx.gas_price;
  if (fee_cap < tip_cap)
    return invalid("max priority fee per gas higher than max fee per gas: address " + checksum(sender) +
                   ", maxPriorityFeePerGas: " + dec(tip_cap) + ", maxFeePerGas: " + dec(fee_cap));
  if (fee_cap < env.base_fee)
    return invalid("max fee per gas less than block base fee: address " + checksum(sender) +
                   ", maxFeePerGas: " + dec(fee_cap) + ", baseFee: " + dec(env.base_fee));
  uint64_t blob_gas = 0;
  if (tx.type == 3) {
    if (!tx.to) return invalid("blob transaction of type create");
    if (tx.blob_versioned_hashes.empty()) return invalid("blob transaction missing blob hashes");
    if (tx.blob_versioned_hashes.size() > kMaxBlobsPerBlock)
      return invalid("blob gas used exceeds maximum allowance");
    for (size_t i = 0; i < tx.blob_versioned_hashes.size(); ++i)
      if (tx.blob_versioned_hashes[i].bytes[0] != 0x01)
        return invalid("blob " + std::to_string(i) + " has invalid hash version");
    blob_gas = kBlobGasPerBlob * tx.blob_versioned_hashes.size();
    if (tx.max_fee_per_blob_gas < env.blob_base_fee)
      return invalid("max fee per blob gas less than block blob gas fee: address " + checksum(sender) +
                     " blobGasFeeCap: " + dec(tx.max_fee_per_blob_gas) +
                     ", blobBaseFee: " + dec(env.blob_base_fee));
  }
  // --- buyGas ---
  const uint256 tip = std::min(tip_cap, fee_cap - env.base_fee);
  const uint256 gas_price = env.base_fee + tip;  // effective
  bool overflow = false;
  uint256 balance_check = uint256(tx.gas_limit) * fee_cap;
  if (mul_overflows(uint256(tx.gas_limit), fee_cap)) overflow = true;
  bool of = false;
  balance_check = add_overflow(balance_check, tx.value, of);
  overflow |= of;
  uint256 blob_fee = uint256(blob_gas) * env.blob_base_fee;
  if (blob_gas) {
    if (mul_overflows(uint256(blob_gas), tx.max_fee_per_blob_gas)) overflow = true;
    balance_check = add_overflow(balance_check, uint256(blob_gas) * tx.max_fee_per_blob_gas, of);
    overflow |= of;
  }
  if (overflow)
    return invalid("insufficient funds for gas * price + value: address " + checksum(sender) +
                   " required balance exceeds 256 bits");
  uint256 have = state.balance(sender);
  if (have < balance_check)
    return invalid("insufficient funds for gas * price + value: address " + checksum(sender) + " have " +
                   dec(have) + " want " + dec(balance_check));
  if (tx.gas_limit > env.gas_limit) return invalid("gas limit reached");
  // --- intrinsic gas and the remaining checks ---
  uint64_t intrinsic = intrinsic_gas(tx);
  if (tx.gas_limit < intrinsic)
    return invalid("intrinsic gas too low: have " + std::to_string(tx.gas_limit) + ", want " +
                   std::to_string(intrinsic));
  uint256 upfront = uint256(tx.gas_limit) * gas_price + blob_fee;
  if (have - upfront < tx.value) return invalid("insufficient funds for transfer: address " + checksum(sender));
  if (!tx.to && tx.data.size() > kMaxInitcodeSize)
    return invalid("max initcode size exceeded: code size " + std::to_string(tx.data.size()) +
                   " limit " + std::to_string(kMaxInitcodeSize));

  // --- execution ---
  if (tracer) tracer->on_tx_start(tx, sender);
  state.begin_tx();
  state.sub_balance(sender, upfront);
  prepare_access_list(state, sender, tx.to, env.coinbase, tx.access_list);

  internal::TxContext ctx{sender, gas_price, &tx.blob_versioned_hashes};
  internal::Vm vm(state, env, ctx, tracer);
  auto r = run_message(vm, state, sender, tx.to, tx.value, tx.data,
                       int64_t(std::min<uint64_t>(tx.gas_limit - intrinsic, uint64_t(INT64_MAX))));

  uint64_t gas_left = uint64_t(r.gas_left);
  uint64_t gas_used = tx.gas_limit - gas_left;
  uint64_t refund = std::min<uint64_t>(uint64_t(std::max<int64_t>(state.refund(), 0)), gas_used / 5);
  gas_left += refund;
  gas_used -= refund;
  state.add_balance(sender, uint256(gas_left) * gas_price);
  state.add_balance(env.coinbase, uint256(gas_used) * tip);

  res.status = r.status;
  res.gas_used = gas_used;
  res.output = std::move(r.output);
  if (!tx.to && r.status == Status::Success) res.created = r.created;
  res.logs = state.finish_tx();
  if (tracer) tracer->on_tx_end(res);
  return res;
}

TxResult call(State& state, const BlockEnv& env, const CallParams& p, Tracer* tracer) {
  TxResult res;
  if (!p.value.is_zero() && state.balance(p.from) < p.value) {
    res.invalid = "insufficient funds for transfer: address " + checksum(p.from);
    return res;
  }
  Transaction tx;
  tx.type = 1;
  tx.to = p.to;
  tx.data = p.data;
  tx.access_list = p.access_list;
  uint64_t intrinsic = intrinsic_gas(tx);
  if (p.gas < intrinsic) {
    res.invalid = "intrinsic gas too low: have " + std::to_string(p.gas) + ", want " +
                  std::to_string(intrinsic);
    return res;
  }
  if (!p.to && p.data.size() > kMaxInitcodeSize) {
    res.invalid = "max initcode size exceeded: code size " + std::to_string(p.data.size()) +
                  " limit " + std::to_string(kMaxInitcodeSize);
    return res;
  }
  state.begin_tx();
  prepare_access_list(state, p.from, p.to, env.coinbase, p.access_list);
  internal::TxContext ctx{p.from, p.gas_price, &p.blob_hashes};
  internal::Vm vm(state, env, ctx, tracer);
  int64_t gas = int64_t(std::min<uint64_t>(p.gas - intrinsic, uint64_t(INT64_MAX)));
  auto r = run_message(vm, state, p.from, p.to, p.value, p.data, gas);
  uint64_t gas_used = intrinsic + uint64_t(gas) - uint64_t(r.gas_left);
  uint64_t refund = std::min<uint64_t>(uint64_t(std::max<int64_t>(state.refund(), 0)), gas_used / 5);
  res.status = r.status;
  res.gas_used = gas_used - refund;
  res.output = std::move(r.output);
  if (!p.to && r.status == Status::Success) res.created = r.created;
  res.logs = state.finish_tx();
  return res;
}

}  // namespace lumio::evm
