// Storable function values: closures in resources across sessions, Aptos's function-data BCS
// (format V1) byte for byte, lazy resolution and its failures, equality.
//
// Move IR has no closure syntax, so the modules are compiled from IR and then given their
// function-typed field and closure instructions (bytecode v8) by hand.
#include "movevm/tests/closure_test_util.hpp"

using namespace lumio;
using namespace lumio::movevm;
using namespace lumio::movevm::closure_test;

TEST(FunctionValues, BcsOfClosuresIsAptosFormatV1) {
  Env env;
  auto s = env.session();
  const auto& m = env.loaded(*s);

  // add(7, _): one captured u64. Layout U64 is MoveTypeLayout variant 2.
  Value c = closure(Env::fn(m, "add"), 0b1, {Value::u64v(7)});
  Bytes want = header(7, "add", {0x00}, 1);
  want.push_back(0x02);
  Bytes seven = u64_bcs(7);
  want.insert(want.end(), seven.begin(), seven.end());
  auto bytes = serialize_value(c, kFunctionLayout);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(to_hex(*bytes), to_hex(want));

  // Nothing captured: 5 elements. Generic id<u64>: ty_args = [TypeTag::U64 (variant 2)].
  Value g = closure(Env::fn(m, "id"), 0, {}, {Type{TypeKind::U64, 0, 0, 0, nullptr, {}}});
  auto gb = serialize_value(g, kFunctionLayout);
  ASSERT_TRUE(gb);
  EXPECT_EQ(to_hex(*gb), to_hex(header(5, "id", {0x01, 0x02}, 0)));

  // A captured struct: MoveTypeLayout::Struct (6) of MoveStructLayout::Runtime (0) with
  // fields [U64 (2), Bool (0)], then the value (u64 3, true); mask 0b1 of with_pair.
  Value p = closure(Env::fn(m, "with_pair"), 0b1, {make_struct({Value::u64v(3), Value::boolean(true)})});
  Bytes wp = header(7, "with_pair", {0x00}, 1);
  for (uint8_t x : {0x06, 0x00, 0x02, 0x02, 0x00}) wp.push_back(x);
  Bytes three = u64_bcs(3);
  wp.insert(wp.end(), three.begin(), three.end());
  wp.push_back(0x01);
  auto pb = serialize_value(p, kFunctionLayout);
  ASSERT_TRUE(pb);
  EXPECT_EQ(to_hex(*pb), to_hex(wp));

  // Round trip: the value comes back unresolved, equal to the original, and re-serializes to
  // the same bytes; a vector of closures is a BCS vector of them.
  auto back = deserialize_value(*bytes, kFunctionLayout);
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->is_container(ContainerKind::Closure));
  EXPECT_EQ(back->c->function, nullptr);
  ASSERT_TRUE(back->c->stored);
  EXPECT_EQ(back->c->stored->function, "add");
  EXPECT_EQ(back->c->values.size(), 1u);
  EXPECT_TRUE(*values_equal(*back, c));
  EXPECT_EQ(serialize_value(*back, kFunctionLayout), bytes);
  TypeLayout vec{LayoutKind::Vector, {kFunctionLayout}, {}};
  auto vb = serialize_value(make_vector({c, c}), vec);
  ASSERT_TRUE(vb);
  Bytes two{0x02};
  two.insert(two.end(), bytes->begin(), bytes->end());
  two.insert(two.end(), bytes->begin(), bytes->end());
  EXPECT_EQ(*vb, two);
  EXPECT_TRUE(deserialize_value(*vb, vec));

  // Equality (values_impl.rs): function identity, captured count and values; not the mask.
  EXPECT_FALSE(*values_equal(c, closure(Env::fn(m, "add"), 0b1, {Value::u64v(8)})));
  EXPECT_TRUE(*values_equal(c, closure(Env::fn(m, "add"), 0b10, {Value::u64v(7)})));
  EXPECT_FALSE(*values_equal(c, closure(Env::fn(m, "add"), 0b11, {Value::u64v(7), Value::u64v(7)})));
  auto unresolved_other = deserialize_value(*serialize_value(closure(Env::fn(m, "kept"), 0b1, {Value::u64v(7)}),
                                                             kFunctionLayout),
                                            kFunctionLayout);
  ASSERT_TRUE(unresolved_other);
  EXPECT_FALSE(*values_equal(*back, *unresolved_other));
}

TEST(FunctionValues, NonStorableClosuresDoNotSerialize) {
  Env env;
  auto s = env.session();
  const auto& m = env.loaded(*s);
  // Private: no storage form. Private but #[persistent]: storable.
  EXPECT_FALSE(serialize_value(closure(Env::fn(m, "secret"), 0b1, {Value::u64v(1)}), kFunctionLayout));
  auto kept = serialize_value(closure(Env::fn(m, "kept"), 0b1, {Value::u64v(1)}), kFunctionLayout);
  ASSERT_TRUE(kept);
  Bytes want = header(7, "kept", {0x00}, 1);
  want.push_back(0x02);
  Bytes one = u64_bcs(1);
  want.insert(want.end(), one.begin(), one.end());
  EXPECT_EQ(*kept, want);
  // A closure of a private function has no `store`: paranoid type checks (on in Aptos
  // production) stop it at the Pack into Holder; without them the resource cannot be written.
  auto put = s->execute_function(addr(0x42), "FV", "put_secret", {}, {addr(0xA)}, {u64_bcs(2)}, env.gas);
  if (auto* e = std::get_if<ExecutionError>(&put)) {
    EXPECT_EQ(e->error.status, StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR) << e->error.message;
  } else {
    auto cs = s->change_set();
    ASSERT_TRUE(std::holds_alternative<ExecutionError>(cs));
    EXPECT_EQ(std::get<ExecutionError>(cs).error.status, StatusCode::VALUE_SERIALIZATION_ERROR);
  }
}

TEST(FunctionValues, MalformedFunctionDataIsRejected) {
  Env env;
  auto s = env.session();
  const auto& m = env.loaded(*s);
  Bytes good = *serialize_value(closure(Env::fn(m, "add"), 0b1, {Value::u64v(7)}), kFunctionLayout);
  auto bad = [&](Bytes b) { return !deserialize_value(b, kFunctionLayout); };
  EXPECT_FALSE(bad(good));
  Bytes v2 = good;
  v2[1] = 2;  // format version 2 (not enabled)
  EXPECT_TRUE(bad(v2));
  Bytes len6 = good;
  len6[0] = 6;  // sequence length disagrees with the mask (5 + 2·1)
  EXPECT_TRUE(bad(len6));
  Bytes len9 = good;
  len9[0] = 9;
  EXPECT_TRUE(bad(len9));
  Bytes name = good;
  name[36] = '1';  // "1V" is not an identifier
  EXPECT_TRUE(bad(name));
  Bytes layout = good;
  layout[layout.size() - 9] = 0x0B;  // MoveTypeLayout::Native: never stored
  EXPECT_TRUE(bad(layout));
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_TRUE(bad(trailing));
  for (size_t n = 0; n < good.size(); ++n) EXPECT_TRUE(bad(Bytes(good.begin(), good.begin() + long(n))));
}

TEST(FunctionValues, ClosureStoredInResourceIsCalledInALaterSession) {
  Env env;
  {
    auto s = env.session();
    auto r = s->execute_function(addr(0x42), "FV", "put", {}, {addr(0xA)}, {u64_bcs(7)}, env.gas);
    ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r));
    auto cs = s->change_set();
    ASSERT_TRUE(std::holds_alternative<ChangeSet>(cs));
    const auto& res = std::get<ChangeSet>(cs).resources;
    ASSERT_EQ(res.size(), 1u);
    // Holder { f: add(7, _) }: a struct is its fields' bytes.
    Bytes want = header(7, "add", {0x00}, 1);
    want.push_back(0x02);
    Bytes seven = u64_bcs(7);
    want.insert(want.end(), seven.begin(), seven.end());
    EXPECT_EQ(res.begin()->second, std::optional<Bytes>(want));
    env.state.commit(std::get<ChangeSet>(cs));
  }
  {
    // A fresh session (new loader) reads the closure unresolved and resolves it on call.
    auto s = env.session();
    auto r = s->execute_function(addr(0x42), "FV", "get", {}, {}, {addr_bcs(addr(0xA)), u64_bcs(5)}, env.gas);
    ASSERT_TRUE(std::holds_alternative<ExecutionResult>(r))
        << status_name(std::get<ExecutionError>(r).error.status) << " " << std::get<ExecutionError>(r).error.message;
    ASSERT_EQ(std::get<ExecutionResult>(r).return_values.size(), 1u);
    EXPECT_EQ(std::get<ExecutionResult>(r).return_values[0].u64, 12u);
    // Only read: nothing to write back.
    auto cs = s->change_set();
    ASSERT_TRUE(std::holds_alternative<ChangeSet>(cs));
    EXPECT_TRUE(std::get<ChangeSet>(cs).resources.empty());
  }
}

TEST(FunctionValues, ResolutionFailuresOfStoredClosures) {
  Env env;
  auto s = env.session();
  const auto& m = env.loaded(*s);
  Bytes good = *serialize_value(closure(Env::fn(m, "add"), 0b1, {Value::u64v(7)}), kFunctionLayout);
  auto resolve = [&](const Bytes& b) -> std::optional<StatusCode> {
    auto v = deserialize_value(b, kFunctionLayout);
    EXPECT_TRUE(v);
    if (!v) return StatusCode::UNKNOWN_STATUS;
    auto e = resolve_closure(s->loader(), *v->c);
    if (!e) {
      EXPECT_EQ(v->c->function, Env::fn(m, "add"));
      EXPECT_FALSE(v->c->stored);  // now the function's own data
      EXPECT_EQ(serialize_value(*v, kFunctionLayout), std::optional<Bytes>(b));
      return std::nullopt;
    }
    return e->status;
  };
  EXPECT_EQ(resolve(good), std::nullopt);
  // A function that does not exist: "axd".
  Bytes missing = good;
  missing[40] = 'x';
  EXPECT_EQ(resolve(missing), StatusCode::FUNCTION_RESOLUTION_FAILURE);
  // A module that does not exist: "FW".
  Bytes no_module = good;
  no_module[37] = 'W';
  EXPECT_EQ(resolve(no_module), StatusCode::LINKER_ERROR);
  // Captured layout bool where add takes u64.
  Bytes wrong_layout(good.begin(), good.end() - 9);
  wrong_layout.push_back(0x00);
  wrong_layout.push_back(0x01);
  EXPECT_EQ(resolve(wrong_layout), StatusCode::FUNCTION_RESOLUTION_FAILURE);
  // Type arguments for a non-generic function.
  Bytes with_tys = header(7, "add", {0x01, 0x02}, 1);
  with_tys.push_back(0x02);
  Bytes seven = u64_bcs(7);
  with_tys.insert(with_tys.end(), seven.begin(), seven.end());
  EXPECT_EQ(resolve(with_tys), StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH);
  // id<signer>: T needs copy.
  EXPECT_EQ(resolve(header(5, "id", {0x01, 0x05}, 0)), StatusCode::CONSTRAINT_NOT_SATISFIED);
}

// A closure capturing a closure: the captured layout is MoveTypeLayout::Function (12) and the
// captured value is the inner closure's own function data.
TEST(FunctionValues, NestedClosures) {
  CompiledModule m = compile(R"(module 0x42.NF {
    public add(x: u64, y: u64): u64 {
    label b0:
        return move(x) + move(y);
    }
    public apply(f: u128, x: u64): u64 {
    label b0:
        return move(x);
    }
  })");
  m.version = 8;
  for (auto& sig : m.signatures)
    for (auto& t : sig)
      if (t.kind == TokenKind::U128) t = fun_u64_u64();
  NativeRegistry natives;
  EmptyStateView state;
  Session s(state, natives);
  s.loader().add_module(std::make_shared<const CompiledModule>(std::move(m)));
  auto loaded = s.loader().load_module(addr(0x42), "NF");
  ASSERT_TRUE(loaded.ok());
  Value inner = closure(Env::fn(**loaded, "add"), 0b1, {Value::u64v(7)});
  Value outer = closure(Env::fn(**loaded, "apply"), 0b1, {inner});
  Bytes want_inner = header(7, "add", {0x00}, 1, "NF");
  want_inner.push_back(0x02);
  Bytes seven = u64_bcs(7);
  want_inner.insert(want_inner.end(), seven.begin(), seven.end());
  Bytes want = header(7, "apply", {0x00}, 1, "NF");
  want.push_back(0x0C);
  want.insert(want.end(), want_inner.begin(), want_inner.end());
  auto bytes = serialize_value(outer, kFunctionLayout);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(to_hex(*bytes), to_hex(want));
  auto back = deserialize_value(*bytes, kFunctionLayout);
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->c->values.at(0).is_container(ContainerKind::Closure));
  EXPECT_EQ(back->c->values[0].c->stored->function, "add");
  EXPECT_TRUE(*values_equal(*back, outer));
  EXPECT_EQ(serialize_value(*back, kFunctionLayout), bytes);
  EXPECT_FALSE(resolve_closure(s.loader(), *back->c));
  EXPECT_EQ(back->c->function, Env::fn(**loaded, "apply"));
}
