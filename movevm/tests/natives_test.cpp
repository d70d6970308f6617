// Natives: semantics, abort codes and gas formulas, called directly through the registry (with
// a context that knows primitive types) and through the VM on the v10 genesis framework.
#include <gtest/gtest.h>

#include <sodium.h>

#include "common/hash.hpp"
#include "common/secp256k1.hpp"
#include "movevm/framework.hpp"
#include "movevm/gas_schedule.hpp"
#include "movevm/natives_aptos.hpp"
#include "movevm/runtime.hpp"
#include "movevm/tests/genesis_chain.hpp"

namespace lumio::movevm {
namespace {

Type prim(TypeKind k) {
  Type t;
  t.kind = k;
  return t;
}
Type vec(Type e) {
  Type t;
  t.kind = TypeKind::Vector;
  t.args.push_back(std::move(e));
  return t;
}

// A native context for primitive and vector types (no loader), with the session extensions.
class TestContext final : public NativeContext, public ResourceAccess {
 public:
  explicit TestContext(const TableResolver* tables = nullptr) {
    TransactionContext txn;
    txn.sender = account_address(0xCAFE);
    txn.txn_hash.bytes[0] = 7;
    add_session_extensions(ext_, txn, tables);
  }
  GasMeter& gas() override { return meter_; }
  NativeExtensions& extensions() override { return ext_; }
  ResourceAccess& resources() override { return *this; }
  Expected<TypeLayout> layout_of(const Type& t) override {
    static const std::map<TypeKind, LayoutKind> kinds = {
        {TypeKind::Bool, LayoutKind::Bool}, {TypeKind::U8, LayoutKind::U8},     {TypeKind::U16, LayoutKind::U16},
        {TypeKind::U32, LayoutKind::U32},   {TypeKind::U64, LayoutKind::U64},   {TypeKind::U128, LayoutKind::U128},
        {TypeKind::U256, LayoutKind::U256}, {TypeKind::Address, LayoutKind::Address}};
    if (t.kind == TypeKind::Vector) {
      auto e = layout_of(t.args.at(0));
      if (!e) return e;
      return TypeLayout{LayoutKind::Vector, {std::move(*e)}, {}};
    }
    auto it = kinds.find(t.kind);
    if (it == kinds.end()) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "test context: no layout", {}, {}};
    return TypeLayout{it->second, {}, {}};
  }
  Expected<TypeTag> type_tag_of(const Type& t) override {
    static const std::map<TypeKind, TagKind> kinds = {{TypeKind::Bool, TagKind::Bool}, {TypeKind::U8, TagKind::U8},
                                                      {TypeKind::U64, TagKind::U64},   {TypeKind::U128, TagKind::U128},
                                                      {TypeKind::Address, TagKind::Address}};
    if (t.kind == TypeKind::Vector) {
      auto e = type_tag_of(t.args.at(0));
      if (!e) return e;
      TypeTag r;
      r.kind = TagKind::Vector;
      r.element = std::make_shared<const TypeTag>(std::move(*e));
      return r;
    }
    auto it = kinds.find(t.kind);
    if (it == kinds.end()) return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "test context: no tag", {}, {}};
    TypeTag r;
    r.kind = it->second;
    return r;
  }
  Expected<Type> type_of(const TypeTag&) override {
    return VMError{StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR, "test context", {}, {}};
  }
  Expected<bool> exists(const AccountAddress&, const Type&) override { return false; }
  Expected<Value> borrow_global(const AccountAddress&, const Type&, bool) override {
    return VMError{StatusCode::MISSING_DATA, "", {}, {}};
  }
  std::optional<VMError> move_to(const AccountAddress&, const Type&, Value) override { return std::nullopt; }
  Expected<Value> move_from(const AccountAddress&, const Type&) override { return VMError{StatusCode::MISSING_DATA, "", {}, {}}; }

 private:
  UnmeteredGasMeter meter_;
  NativeExtensions ext_;
};

class NativeFunctions : public test_util::V10Suite {
 protected:
  // Calls a native directly.
  Expected<NativeResult> call(const char* module, const char* name, std::vector<Type> tys, std::vector<Value> args,
                              TestContext* ctx = nullptr) {
    const NativeFunction* f = registry_->find(account_address(1), module, name);
    if (!f) return VMError{StatusCode::MISSING_DEPENDENCY, std::string("no native ") + module + "::" + name, {}, {}};
    TestContext local;
    return (*f)(ctx ? *ctx : local, tys, args);
  }
  Bytes ok_bytes(Expected<NativeResult> r) {
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return {};
    EXPECT_FALSE(r->aborted);
    EXPECT_EQ(r->values.size(), 1u);
    return r->values.at(0).c->bytes;
  }
  uint64_t p(const char* name) { return params_->native(name); }
};

Value bytes(std::string_view s) { return make_vec_u8(Bytes(s.begin(), s.end())); }
Value bytes_ref(std::string_view s) { return Value::container_ref(bytes(s).c); }
std::string hex(const Bytes& b) { return to_hex(b, false); }

TEST_F(NativeFunctions, RegistryRejectsDuplicates) {
  EXPECT_GT(registry_->size(), 80u);
  NativeRegistry again;
  ASSERT_FALSE(register_stdlib_natives(again, *params_));
  auto dup = register_stdlib_natives(again, *params_);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, StatusCode::DUPLICATE_NATIVE_FUNCTION);
}

TEST_F(NativeFunctions, HashesAndTheirCosts) {
  // FIPS 180-2 / 202 and the reference vectors for "abc".
  auto r = call("hash", "sha2_256", {}, {bytes("abc")});
  EXPECT_EQ(hex(ok_bytes(r)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(r->cost, p("move_stdlib.hash.sha2_256.base") + 3 * p("move_stdlib.hash.sha2_256.per_byte"));
  EXPECT_EQ(r->cost, 110280u + 3 * 1830u);  // the v10 schedule's values
  EXPECT_EQ(hex(ok_bytes(call("hash", "sha3_256", {}, {bytes("abc")}))),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  EXPECT_EQ(hex(ok_bytes(call("aptos_hash", "keccak256", {}, {bytes("abc")}))),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(hex(ok_bytes(call("aptos_hash", "sha2_512_internal", {}, {bytes("abc")}))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(hex(ok_bytes(call("aptos_hash", "sha3_512_internal", {}, {bytes("abc")}))),
            "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0");
  EXPECT_EQ(hex(ok_bytes(call("aptos_hash", "ripemd160_internal", {}, {bytes("abc")}))),
            "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  EXPECT_EQ(hex(ok_bytes(call("aptos_hash", "blake2b_256_internal", {}, {bytes("abc")}))),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  // SipHash-2-4 with the zero key (Rust's SipHasher::new()) of the empty input.
  auto sip = call("aptos_hash", "sip_hash", {}, {bytes("")});
  ASSERT_TRUE(sip.ok());
  EXPECT_EQ(sip->values.at(0).u64, 0x1e924b9d737700d7ull);
}

TEST_F(NativeFunctions, Strings) {
  auto utf8 = [&](Bytes b) {
    auto r = call("string", "internal_check_utf8", {}, {Value::container_ref(make_vec_u8(std::move(b)).c)});
    EXPECT_TRUE(r.ok());
    return r.ok() && r->values.at(0).b;
  };
  EXPECT_TRUE(utf8({'h', 0xC3, 0xA9, 'l'}));
  EXPECT_TRUE(utf8({0xF0, 0x9F, 0x98, 0x80}));
  EXPECT_FALSE(utf8({0xC0, 0x80}));        // overlong
  EXPECT_FALSE(utf8({0xED, 0xA0, 0x80}));  // surrogate
  EXPECT_FALSE(utf8({0xC3}));              // truncated
  EXPECT_FALSE(utf8({0xF4, 0x90, 0x80, 0x80}));  // above U+10FFFF

  auto boundary = [&](uint64_t i) {
    auto r = call("string", "internal_is_char_boundary", {}, {bytes_ref("h\xC3\xA9l"), Value::u64v(i)});
    return r.ok() && r->values.at(0).b;
  };
  EXPECT_TRUE(boundary(0));
  EXPECT_TRUE(boundary(1));
  EXPECT_FALSE(boundary(2));
  EXPECT_TRUE(boundary(4));
  EXPECT_FALSE(boundary(5));

  auto sub = call("string", "internal_sub_string", {}, {bytes_ref("hello"), Value::u64v(1), Value::u64v(4)});
  EXPECT_EQ(ok_bytes(sub), (Bytes{'e', 'l', 'l'}));
  EXPECT_EQ(sub->cost, p("move_stdlib.string.sub_string.base") + 3 * p("move_stdlib.string.sub_string.per_byte"));
  auto idx = call("string", "internal_index_of", {}, {bytes_ref("hello"), bytes_ref("ll")});
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(idx->values.at(0).u64, 2u);
  idx = call("string", "internal_index_of", {}, {bytes_ref("hello"), bytes_ref("xyz")});
  EXPECT_EQ(idx->values.at(0).u64, 5u);  // not found: the length
}

TEST_F(NativeFunctions, VectorsAndVectorErrors) {
  auto v = make_vector({Value::u64v(1), Value::u64v(2), Value::u64v(3)});
  auto len = call("vector", "length", {prim(TypeKind::U64)}, {Value::container_ref(v.c)});
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(len->values[0].u64, 3u);
  EXPECT_EQ(len->cost, params_->simple[uint8_t(Opcode::VecLen)]);
  auto b = call("vector", "borrow", {prim(TypeKind::U64)}, {Value::container_ref(v.c), Value::u64v(3)});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().status, StatusCode::VECTOR_OPERATION_ERROR);
  ASSERT_TRUE(call("vector", "swap", {prim(TypeKind::U64)}, {Value::container_ref(v.c), Value::u64v(0), Value::u64v(2)}).ok());
  EXPECT_EQ(v.c->values[0].u64, 3u);
  // move_range(from, 1, 2, to, 0)
  auto to = make_vector({Value::u64v(9)});
  auto mr = call("vector", "move_range", {prim(TypeKind::U64)},
                 {Value::container_ref(v.c), Value::u64v(1), Value::u64v(2), Value::container_ref(to.c), Value::u64v(0)});
  ASSERT_TRUE(mr.ok());
  EXPECT_FALSE(mr->aborted);
  ASSERT_EQ(v.c->values.size(), 1u);
  ASSERT_EQ(to.c->values.size(), 3u);
  EXPECT_EQ(to.c->values[0].u64, 2u);
  EXPECT_EQ(to.c->values[1].u64, 1u);
  mr = call("vector", "move_range", {prim(TypeKind::U64)},
            {Value::container_ref(v.c), Value::u64v(1), Value::u64v(1), Value::container_ref(to.c), Value::u64v(0)});
  ASSERT_TRUE(mr.ok());
  EXPECT_TRUE(mr->aborted);
  EXPECT_EQ(mr->abort_code, 1u);
  auto pop = call("vector", "pop_back", {prim(TypeKind::U8)}, {Value::container_ref(make_vec_u8({}).c)});
  ASSERT_FALSE(pop.ok());
  EXPECT_EQ(pop.error().status, StatusCode::VECTOR_OPERATION_ERROR);
}

TEST_F(NativeFunctions, BcsAndFromBytes) {
  Value x = Value::u64v(0x0102030405060708ull);
  auto r = call("bcs", "to_bytes", {prim(TypeKind::U64)}, {Value::indexed_ref(make_struct({x}).c, 0)});
  EXPECT_EQ(hex(ok_bytes(r)), "0807060504030201");
  EXPECT_EQ(r->cost, 8 * p("move_stdlib.bcs.to_bytes.per_byte_serialized"));
  auto size = call("bcs", "serialized_size", {vec(prim(TypeKind::U8))}, {bytes_ref("abc")});
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->values[0].u64, 4u);
  // constant_serialized_size: Some(8) for u64, None for a vector.
  auto cs = call("bcs", "constant_serialized_size", {prim(TypeKind::U64)}, {});
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->values[0].c->values[0].c->values.size(), 1u);
  cs = call("bcs", "constant_serialized_size", {vec(prim(TypeKind::U8))}, {});
  EXPECT_EQ(cs->values[0].c->values[0].c->size(), 0u);
  auto fb = call("from_bcs", "from_bytes", {prim(TypeKind::U64)}, {bytes("\x08\x07\x06\x05\x04\x03\x02\x01")});
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb->values[0].u64, 0x0102030405060708ull);
  fb = call("from_bcs", "from_bytes", {prim(TypeKind::U64)}, {bytes("\x01\x02")});
  ASSERT_TRUE(fb.ok());
  EXPECT_TRUE(fb->aborted);
  EXPECT_EQ(fb->abort_code, 0x10001u);
}

TEST_F(NativeFunctions, CmpAndMem) {
  auto cmp = [&](Value a, Value b) {
    auto ha = make_struct({a}), hb = make_struct({b});
    auto r = call("cmp", "compare", {prim(TypeKind::U64)}, {Value::indexed_ref(ha.c, 0), Value::indexed_ref(hb.c, 0)});
    EXPECT_TRUE(r.ok());
    return r.ok() ? int(r->values[0].c->variant) : -1;
  };
  EXPECT_EQ(cmp(Value::u64v(1), Value::u64v(2)), 0);  // Less
  EXPECT_EQ(cmp(Value::u64v(2), Value::u64v(2)), 1);  // Equal
  EXPECT_EQ(cmp(Value::u64v(3), Value::u64v(2)), 2);  // Greater
  auto r = call("cmp", "compare", {vec(prim(TypeKind::U8))}, {bytes_ref("ab"), bytes_ref("abc")});
  EXPECT_EQ(r->values[0].c->variant, 0);  // a prefix is smaller
  auto a = make_struct({Value::u64v(1)}), b = make_struct({Value::u64v(2)});
  ASSERT_TRUE(call("mem", "swap", {prim(TypeKind::U64)}, {Value::indexed_ref(a.c, 0), Value::indexed_ref(b.c, 0)}).ok());
  EXPECT_EQ(a.c->values[0].u64, 2u);
  EXPECT_EQ(b.c->values[0].u64, 1u);
}

TEST_F(NativeFunctions, AggregatorV2) {
  Type u64t = prim(TypeKind::U64);
  auto agg = call("aggregator_v2", "create_aggregator", {u64t}, {Value::u64v(10)});
  ASSERT_TRUE(agg.ok());
  Value a = agg->values[0];
  auto add = [&](uint64_t v) {
    auto r = call("aggregator_v2", "try_add", {u64t}, {Value::container_ref(a.c), Value::u64v(v)});
    return r.ok() && r->values[0].b;
  };
  auto sub = [&](uint64_t v) {
    auto r = call("aggregator_v2", "try_sub", {u64t}, {Value::container_ref(a.c), Value::u64v(v)});
    return r.ok() && r->values[0].b;
  };
  EXPECT_TRUE(add(7));
  EXPECT_FALSE(add(4));  // 11 > max 10: unchanged
  EXPECT_TRUE(add(3));
  EXPECT_FALSE(sub(11));
  EXPECT_TRUE(sub(10));
  auto read = call("aggregator_v2", "read", {u64t}, {Value::container_ref(a.c)});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->values[0].u64, 0u);
  EXPECT_EQ(read->cost, p("aptos_framework.aggregator_v2.read.base"));
  auto bad = call("aggregator_v2", "create_aggregator", {prim(TypeKind::U8)}, {Value::u8(1)});
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->aborted);
  EXPECT_EQ(bad->abort_code, 0x030007u);
  EXPECT_EQ(call("aggregator_v2", "copy_snapshot", {u64t}, {})->abort_code, 0x030009u);
  // string_concat("a", snapshot(42), "b") = "a42b"
  add(2);
  auto snap = call("aggregator_v2", "snapshot", {u64t}, {Value::container_ref(a.c)});
  ASSERT_TRUE(snap.ok());
  auto s = call("aggregator_v2", "string_concat", {u64t},
                {make_struct({bytes("a")}), Value::container_ref(snap->values[0].c), make_struct({bytes("b")})});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->values[0].c->values[0].c->values[0].c->bytes, (Bytes{'a', '2', 'b'}));
}

TEST_F(NativeFunctions, TablesWithStorageAndChanges) {
  // A table item already in storage (the genesis state holds four).
  const auto& [key, stored] = *state_->table_items().begin();
  TestContext ctx(state_);
  Type k = vec(prim(TypeKind::U8)), v = vec(prim(TypeKind::U8));
  auto h = call("table", "new_table_handle", {k, v}, {}, &ctx);
  ASSERT_TRUE(h.ok());
  Value t2 = make_struct({h->values[0]});
  Type u64t = prim(TypeKind::U64);
  auto add = call("table", "add_box", {u64t, u64t, u64t}, {Value::container_ref(t2.c), Value::u64v(5), make_struct({Value::u64v(50)})}, &ctx);
  ASSERT_TRUE(add.ok());
  EXPECT_FALSE(add->aborted);
  // add_box base + key bytes + the load of an absent entry (legacy base, new base, failure).
  EXPECT_EQ(add->cost, p("table.add_box.base") + 8 * p("table.add_box.per_byte_serialized") + p("table.common.load.base") +
                           p("table.common.load.base_new") + p("table.common.load.failure"));
  add = call("table", "add_box", {u64t, u64t, u64t}, {Value::container_ref(t2.c), Value::u64v(5), make_struct({Value::u64v(51)})}, &ctx);
  EXPECT_TRUE(add->aborted);
  EXPECT_EQ(add->abort_code, 25607u);  // E_ALREADY_EXISTS
  auto borrow = call("table", "borrow_box_mut", {u64t, u64t, u64t}, {Value::container_ref(t2.c), Value::u64v(5)}, &ctx);
  ASSERT_TRUE(borrow.ok());
  borrow->values[0].c->values[0] = Value::u64v(77);  // write through the reference
  auto missing = call("table", "borrow_box", {u64t, u64t, u64t}, {Value::container_ref(t2.c), Value::u64v(6)}, &ctx);
  EXPECT_TRUE(missing->aborted);
  EXPECT_EQ(missing->abort_code, 25863u);  // E_NOT_FOUND
  auto contains = call("table", "contains_box", {u64t, u64t, u64t}, {Value::container_ref(t2.c), Value::u64v(5)}, &ctx);
  EXPECT_TRUE(contains->values[0].b);
  // A cached entry costs the legacy base only.
  EXPECT_EQ(contains->cost, p("table.contains_box.base") + 8 * p("table.contains_box.per_byte_serialized") +
                                p("table.common.load.base"));
  auto changes = ctx.extensions().get<TableStore>()->changes();
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->begin()->first.second, (Bytes{5, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(*changes->begin()->second, (Bytes{77, 0, 0, 0, 0, 0, 0, 0}));
  // Genesis items are served to the natives by the state (TableResolver).
  EXPECT_EQ(state_->get_table_item(key.first, key.second), stored);
}

TEST_F(NativeFunctions, Secp256k1Recover) {
  Hash32 secret;
  secret.bytes[31] = 1;
  Hash32 msg = sha256(BytesView((const uint8_t*)"msg", 3));
  auto sig = secp256k1::sign(msg, secret);
  Bytes s(sig.r.bytes.begin(), sig.r.bytes.end());
  s.insert(s.end(), sig.s.bytes.begin(), sig.s.bytes.end());
  auto r = call("secp256k1", "ecdsa_recover_internal", {},
                {make_vec_u8(Bytes(msg.bytes.begin(), msg.bytes.end())), Value::u8(uint8_t(sig.recid)), make_vec_u8(s)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->values.size(), 2u);
  EXPECT_TRUE(r->values[1].b);
  // The generator point G for secret 1.
  EXPECT_EQ(hex(r->values[0].c->bytes).substr(0, 64), "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  auto bad = call("secp256k1", "ecdsa_recover_internal", {}, {bytes("short"), Value::u8(0), make_vec_u8(s)});
  EXPECT_TRUE(bad->aborted);
  EXPECT_EQ(bad->abort_code, 0x10001u);
}

TEST_F(NativeFunctions, Ed25519) {
  // RFC 8032, test 1 (empty message).
  Bytes pk = *from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Bytes sig = *from_hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  auto verify = [&](const Bytes& s, const Bytes& k, const Bytes& m) {
    auto r = call("ed25519", "signature_verify_strict_internal", {}, {make_vec_u8(s), make_vec_u8(k), make_vec_u8(m)});
    EXPECT_TRUE(r.ok());
    return r;
  };
  auto ok = verify(sig, pk, {});
  EXPECT_TRUE(ok->values[0].b);
  uint64_t full = p("aptos_framework.signature.base") + p("aptos_framework.signature.per_pubkey_deserialize") +
                  p("aptos_framework.signature.per_sig_deserialize") + p("aptos_framework.signature.per_sig_strict_verify") +
                  p("aptos_framework.signature.per_msg_hashing_base");
  EXPECT_EQ(ok->cost, full);
  EXPECT_FALSE(verify(sig, pk, {1})->values[0].b);  // another message
  Bytes malleable = sig;  // S + L is the same signature, non-canonical: rejected before verifying
  static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned v = malleable[32 + i] + L[i] + carry;
    malleable[32 + i] = uint8_t(v);
    carry = v >> 8;
  }
  auto m = verify(malleable, pk, {});
  EXPECT_FALSE(m->values[0].b);
  EXPECT_EQ(m->cost, p("aptos_framework.signature.base") + p("aptos_framework.signature.per_pubkey_deserialize") +
                         p("aptos_framework.signature.per_sig_deserialize"));
  auto validate = [&](const Bytes& k) {
    auto r = call("ed25519", "public_key_validate_internal", {}, {make_vec_u8(k)});
    return r.ok() && r->values[0].b;
  };
  EXPECT_TRUE(validate(pk));
  Bytes identity(32, 0);
  identity[0] = 1;  // the neutral element: small order
  EXPECT_FALSE(validate(identity));
  EXPECT_FALSE(validate(Bytes(31, 1)));
  EXPECT_FALSE(verify(sig, identity, {})->values[0].b);
}

TEST_F(NativeFunctions, MultiEd25519) {
  // A 2-of-3 key; keys 0 and 2 sign (bitmap bits 0 and 2, MSB first).
  Bytes pks, sks[3];
  for (int i = 0; i < 3; ++i) {
    uint8_t seed[32] = {uint8_t(i + 1)};
    uint8_t pk[32], sk[64];
    crypto_sign_seed_keypair(pk, sk, seed);
    pks.insert(pks.end(), pk, pk + 32);
    sks[i] = Bytes(sk, sk + 64);
  }
  pks.push_back(2);
  Bytes msg = {'h', 'i'};
  auto sign = [&](int i) {
    Bytes s(64);
    crypto_sign_detached(s.data(), nullptr, msg.data(), msg.size(), sks[i].data());
    return s;
  };
  Bytes sig = sign(0);
  Bytes s2 = sign(2);
  sig.insert(sig.end(), s2.begin(), s2.end());
  Bytes with_bitmap = sig;
  for (uint8_t b : {0xA0, 0, 0, 0}) with_bitmap.push_back(b);
  auto verify = [&](const Bytes& s, const Bytes& k) {
    auto r = call("multi_ed25519", "signature_verify_strict_internal", {}, {make_vec_u8(s), make_vec_u8(k), make_vec_u8(msg)});
    return r.ok() && r->values[0].b;
  };
  EXPECT_TRUE(verify(with_bitmap, pks));
  Bytes wrong_bits = sig;
  for (uint8_t b : {0xC0, 0, 0, 0}) wrong_bits.push_back(b);  // keys 0 and 1: the second fails
  EXPECT_FALSE(verify(wrong_bits, pks));
  Bytes one = sign(0);
  for (uint8_t b : {0x80, 0, 0, 0}) one.push_back(b);  // below the threshold
  EXPECT_FALSE(verify(one, pks));
  Bytes count_mismatch = sig;
  for (uint8_t b : {0xE0, 0, 0, 0}) count_mismatch.push_back(b);  // 3 bits, 2 signatures
  EXPECT_FALSE(verify(count_mismatch, pks));
  auto validate = [&](const char* fn, const Bytes& k) {
    auto r = call("multi_ed25519", fn, {}, {make_vec_u8(k)});
    return r.ok() && r->values[0].b;
  };
  EXPECT_TRUE(validate("public_key_validate_v2_internal", pks));
  Bytes zero_threshold = pks;
  zero_threshold.back() = 0;
  EXPECT_FALSE(validate("public_key_validate_v2_internal", zero_threshold));
  EXPECT_TRUE(validate("public_key_validate_internal", zero_threshold));  // v1 ignores the threshold
  Bytes small = pks;
  std::fill(small.begin() + 32, small.begin() + 64, 0);
  small[32] = 1;  // the identity as key 1
  EXPECT_FALSE(validate("public_key_validate_internal", small));
}

TEST_F(NativeFunctions, ObjectAndUniqueAddresses) {
  // primary_fungible_store's address rule: sha3-256(owner || metadata || 0xFC).
  auto r = call("object", "create_user_derived_object_address_impl", {}, {Value::addr(account_address(0xB)), Value::addr(account_address(0xA))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->values[0].address, derive_user_object_address(account_address(0xB), account_address(0xA)));
  TestContext ctx;
  auto a1 = call("transaction_context", "generate_unique_address", {}, {}, &ctx);
  auto a2 = call("transaction_context", "generate_unique_address", {}, {}, &ctx);
  ASSERT_TRUE(a1.ok() && a2.ok());
  EXPECT_NE(a1->values[0].address, a2->values[0].address);
  Hash32 txn;
  txn.bytes[0] = 7;
  EXPECT_EQ(a1->values[0].address, derive_unique_address(txn, 1));
}

// monotonically_increasing_counter_internal packs reserved byte || timestamp_us || transaction
// index || session counter || local counter (8/64/32/8/16 bits); the local counter starts at 1 and
// overflows into invalid_state(EMONOTONICALLY_INCREASING_COUNTER_OVERFLOW).
TEST_F(NativeFunctions, MonotonicallyIncreasingCounterLayout) {
  TestContext ctx;
  auto* txn = ctx.extensions().get<TransactionContext>();
  txn->transaction_index = 0x01020304;
  txn->session_counter = 5;
  const uint64_t ts = 0x1122334455667788ull;
  auto c1 = call("transaction_context", "monotonically_increasing_counter_internal", {}, {Value::u64v(ts)}, &ctx);
  auto c2 = call("transaction_context", "monotonically_increasing_counter_internal", {}, {Value::u64v(ts)}, &ctx);
  ASSERT_TRUE(c1.ok() && c2.ok());
  using u128 = unsigned __int128;
  u128 expect = (u128(ts) << 56) | (u128(0x01020304) << 24) | (u128(5) << 16) | 1;
  EXPECT_TRUE(c1->values[0].u128 == expect);
  EXPECT_TRUE(c2->values[0].u128 == expect + 1);
  txn->validation_or_simulation = true;
  auto c3 = call("transaction_context", "monotonically_increasing_counter_internal", {}, {Value::u64v(ts)}, &ctx);
  ASSERT_TRUE(c3.ok());
  EXPECT_TRUE(c3->values[0].u128 == ((u128(1) << 120) | (expect + 2)));
  txn->monotonic_counter = 0xFFFF;
  auto over = call("transaction_context", "monotonically_increasing_counter_internal", {}, {Value::u64v(ts)}, &ctx);
  ASSERT_TRUE(over.ok());
  EXPECT_TRUE(over->aborted);
  EXPECT_EQ(over->abort_code, 0x03'0002u);
}

// Natives reached through the VM with the genuine framework's types.
TEST_F(NativeFunctions, TypeInfoThroughTheVM) {
  Session session(*state_, *registry_);
  TransactionContext txn;
  txn.chain_id = 4;
  add_session_extensions(session.extensions(), txn, state_);
  UnmeteredGasMeter gas;
  auto name = session.execute_function(account_address(1), "type_info", "type_name",
                                       {*parse_type_tag("0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>")}, {}, {}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(name));
  EXPECT_EQ(std::get<ExecutionResult>(name).return_values.at(0).c->values.at(0).c->bytes,
            Bytes(std::string_view("0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>").begin(),
                  std::string_view("0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>").end()));
  auto info = session.execute_function(account_address(1), "type_info", "type_of",
                                       {*parse_type_tag("0x1::table::Table<u64, 0x1::string::String>")}, {}, {}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionResult>(info));
  const auto& fields = std::get<ExecutionResult>(info).return_values.at(0).c->values;
  EXPECT_EQ(fields.at(0).address, account_address(1));
  std::string struct_name(fields.at(2).c->bytes.begin(), fields.at(2).c->bytes.end());
  EXPECT_EQ(struct_name, "Table<u64, 0x1::string::String>");
  // type_of a non-struct aborts with NFE_EXPECTED_STRUCT_TYPE_TAG (1).
  auto prim_info = session.execute_function(account_address(1), "type_info", "type_of", {*parse_type_tag("u64")}, {}, {}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(prim_info));
  EXPECT_EQ(std::get<ExecutionError>(prim_info).sub_status, std::optional<uint64_t>(1));
  // string::utf8 aborts with EINVALID_UTF8 (1) on bad bytes, through internal_check_utf8.
  auto bad = session.execute_function(account_address(1), "string", "utf8", {}, {}, {Bytes{2, 0xC0, 0x80}}, gas);
  ASSERT_TRUE(std::holds_alternative<ExecutionError>(bad));
  EXPECT_EQ(std::get<ExecutionError>(bad).error.status, StatusCode::ABORTED);
  EXPECT_EQ(std::get<ExecutionError>(bad).sub_status, std::optional<uint64_t>(1));
}

TEST_F(NativeFunctions, GasMeterChargesAndStops) {
  AptosGasMeter meter(*params_, 10);  // one external unit = 1'000'000 internal (v10 schedule)
  EXPECT_EQ(meter.remaining(), 10'000'000u);
  EXPECT_TRUE(meter.charge_simple(Opcode::Add));
  EXPECT_EQ(meter.consumed(), 5880u);
  InstrCharge call;
  call.op = Opcode::Call;
  call.args = 2;
  call.locals = 3;
  EXPECT_TRUE(meter.charge_instr(call));
  EXPECT_EQ(meter.consumed(), 5880u + 36760u + 2 * 3670u + 3 * 3670u);
  Value v = make_vec_u8(Bytes(10));
  InstrCharge copy;
  copy.op = Opcode::CopyLoc;
  copy.value = &v;
  uint64_t before = meter.consumed();
  EXPECT_TRUE(meter.charge_instr(copy));
  EXPECT_EQ(meter.consumed() - before, 2940u + 140u * (40u + 10u));  // vector + 10 packed bytes
  EXPECT_TRUE(meter.charge_load_resource(100));
  EXPECT_EQ(meter.io_gas(), 3'023'850u + 1510u * 4096);  // IoPricingV4: slot + bytes rounded up to a page
  AptosGasMeter writes(*params_, 100);
  EXPECT_TRUE(writes.charge_io_write(50, 100, true));
  EXPECT_TRUE(writes.charge_io_write(50, std::nullopt, false));  // V4 prices deletions' keys too
  EXPECT_EQ(writes.io_gas(), (895'680u + 890u * 150) + (895'680u + 890u * 50));
  EXPECT_TRUE(writes.charge_intrinsic(700));  // 100 bytes over the 600-byte cutoff
  EXPECT_EQ(writes.execution_gas(), 27'600'000u + 11'580u * 100);
  EXPECT_FALSE(meter.charge_native(20'000'000));
  EXPECT_EQ(meter.failure(), StatusCode::OUT_OF_GAS);
  EXPECT_EQ(meter.remaining(), 0u);
  EXPECT_EQ(meter.gas_used(), 10u);
  EXPECT_FALSE(meter.charge_simple(Opcode::Nop));  // stays exhausted
}

}  // namespace
}  // namespace lumio::movevm
