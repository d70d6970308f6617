// aptos_std::string_utils natives (aptos-framework natives/string_utils.rs): Move values as text.
//
// native_format<T>(&T, type_tag, canonicalize, single_line, include_int_types) and
// native_format_list<T>(&vector<u8>, &T) (T a Cons<_, Cons<_, ... NIL>> list) render values the
// way Aptos does: `[ 1, 2 ]`, `Cons { car: 1, cdr: 2 }`, `"text"` for 0x1::string::String, `0x0102`
// for vector<u8>, `@0x1` (or 64 hex digits when canonicalized), `Some(1)` / `None`, enum variants
// as `Name{ field: v }`, `signer(@0x1)`. Values are walked by their runtime type, which carries
// the struct names, field names and type arguments (Aptos's fully annotated layout).
//
// Gas: `string_utils.format.base` for every value formatted (nested ones included) and
// `string_utils.format.per_byte` for the bytes of vector<u8>s, strings and the format string.
// Aptos charges as it goes; we stop formatting once the cost passes what the meter has left, and
// the VM then reports OUT_OF_GAS, so a huge value cannot make us build a huge string.
#include <cstring>

#include "movevm/loader.hpp"
#include "movevm/natives_algebra.hpp"
#include "movevm/natives_internal.hpp"

namespace lumio::movevm::natives {
namespace {

using Args = std::vector<Value>;
using Ty = std::span<const Type>;

// Abort codes of the Move module.
constexpr uint64_t kArgsMismatch = 1;
constexpr uint64_t kInvalidFormat = 2;

bool is_struct(const Type& t, const char* module, const char* name) {
  const StructInfo* s = t.kind == TypeKind::Struct ? t.struct_info : nullptr;
  return s && s->address == address_from_u64(1) && s->module_name == module && s->name == name;
}

std::string u128_string(unsigned __int128 v) { return U256{{uint64_t(v), uint64_t(v >> 64), 0, 0}}.to_string(); }
std::string i128_string(__int128 v) {
  uint64_t ext = v < 0 ? ~uint64_t(0) : 0;
  return U256{{uint64_t((unsigned __int128)v), uint64_t((unsigned __int128)v >> 64), ext, ext}}.to_signed_string();
}

// Address as AccountAddress's Display (AIP-40 standard form): 0x0..0xf short, others 64 digits.
std::string standard_address(const AccountAddress& a) {
  bool special = a.bytes[31] < 16;
  for (int i = 0; i < 31 && special; ++i) special = a.bytes[i] == 0;
  return special ? short_hex(a) : "0x" + to_hex(a.view(), false);
}

struct Stop {};  // out of gas: unwinds the walk; the VM reports OUT_OF_GAS when it charges `cost`

struct Formatter {
  Formatter(NativeContext& ctx, uint64_t base, uint64_t per_byte, bool signer_fix, bool type_tag, bool canonicalize,
            bool single_line, bool include_int_type)
      : ctx(ctx), base(base), per_byte(per_byte), signer_fix(signer_fix), type_tag(type_tag),
        canonicalize(canonicalize), single_line(single_line), include_int_type(include_int_type),
        budget(ctx.gas().remaining()) {}

  NativeContext& ctx;
  uint64_t base, per_byte;
  bool signer_fix, type_tag, canonicalize, single_line, include_int_type;
  uint64_t cost = 0;
  uint64_t budget;  // what the meter has left
  std::string out;
  std::optional<uint64_t> abort;  // abort code once one is raised
  std::optional<VMError> error;

  void charge(uint64_t units) {
    cost += units;
    if (cost > budget) throw Stop{};
  }
  void fail(VMError e) {
    error = std::move(e);
    throw Stop{};
  }

  void space_or_newline(bool newline, size_t depth) {
    if (!newline) {
      out += ' ';
      return;
    }
    out += '\n';
    out.append(2 * depth, ' ');
  }

  // The value a slot holds: primitives inline, containers shared.
  static Value element(const Container& c, size_t i) {
    if (c.kind == ContainerKind::VecU8) return Value::u8(c.bytes[i]);
    return c.values[i];
  }
  const Container& container(const Value& v, ContainerKind kind) {
    if (v.kind != ValueKind::Container || !v.c || v.c->kind != kind) fail(invariant("string_utils: value does not match its type"));
    return *v.c;
  }

  // Fields (shapes[i] each) or elements (`same`: all of shapes[0]); `names` (may be null)
  // prefixes each with "name: ".
  template <class Shape>  // Type or TypeLayout
  void sequence(const std::vector<Value>& vals, const Shape* shapes, bool same, const std::vector<std::string>* names,
                size_t depth, bool newline) {
    if (vals.empty()) return;
    space_or_newline(newline, depth + 1);
    for (size_t i = 0; i < vals.size(); ++i) {
      if (i > 0) {
        out += ',';
        space_or_newline(newline, depth + 1);
      }
      if (names) out += (*names)[i] + ": ";
      format(shapes[same ? 0 : i], vals[i], depth + 1);
    }
    space_or_newline(newline, depth);
  }

  // Integers, bool, address: printed by the value's own kind (which must be `kind`).
  void scalar(ValueKind kind, const Value& v) {
    if (v.kind != kind) fail(invariant("string_utils: value does not match its type"));
    const char* suffix = "";
    switch (v.kind) {
      case ValueKind::Bool: out += v.b ? "true" : "false"; break;
      case ValueKind::U8: out += std::to_string(v.u64); suffix = "u8"; break;
      case ValueKind::U16: out += std::to_string(v.u64); suffix = "u16"; break;
      case ValueKind::U32: out += std::to_string(v.u64); suffix = "u32"; break;
      case ValueKind::U64: out += std::to_string(v.u64); suffix = "u64"; break;
      case ValueKind::U128: out += u128_string(v.u128); suffix = "u128"; break;
      case ValueKind::U256: out += v.u256.to_string(); suffix = "u256"; break;
      case ValueKind::I8: out += std::to_string(v.as_i64()); suffix = "i8"; break;
      case ValueKind::I16: out += std::to_string(v.as_i64()); suffix = "i16"; break;
      case ValueKind::I32: out += std::to_string(v.as_i64()); suffix = "i32"; break;
      case ValueKind::I64: out += std::to_string(v.as_i64()); suffix = "i64"; break;
      case ValueKind::I128: out += i128_string(v.as_i128()); suffix = "i128"; break;
      case ValueKind::I256: out += v.u256.to_signed_string(); suffix = "i256"; break;
      case ValueKind::Address:
        out += '@';
        out += canonicalize ? to_hex(v.address.view(), false) : short_hex(v.address);
        break;
      default: fail(invariant("string_utils: not a primitive value"));
    }
    if (include_int_type) out += suffix;
  }
  // TypeKind and LayoutKind list the primitives in ValueKind's order, one place earlier.
  static ValueKind value_kind(TypeKind k) { return ValueKind(uint8_t(k) + 1); }
  static ValueKind value_kind(LayoutKind k) { return ValueKind(uint8_t(k) + 1); }
  static_assert(ValueKind(uint8_t(TypeKind::Address) + 1) == ValueKind::Address &&
                ValueKind(uint8_t(TypeKind::I256) + 1) == ValueKind::I256 &&
                ValueKind(uint8_t(LayoutKind::Address) + 1) == ValueKind::Address &&
                ValueKind(uint8_t(LayoutKind::I256) + 1) == ValueKind::I256);

  void signer(const Value& v) {
    const Container& s = container(v, ContainerKind::Signer);
    // Without SIGNER_NATIVE_FORMAT_FIX Aptos casts the signer to an address, which fails.
    if (!signer_fix) fail(VMError{StatusCode::INTERNAL_TYPE_ERROR, "string_utils: cannot cast a signer to an address", {}, {}});
    if (s.values.empty() || s.values[0].kind != ValueKind::Address) fail(invariant("string_utils: malformed signer"));
    const AccountAddress& a = s.values[0].address;  // the master address, permissioned or not
    out += "signer(@" + (canonicalize ? to_hex(a.view(), false) : short_hex(a)) + ")";
  }
  // "0x..." for vector<u8>.
  void bytes(const Value& v) {
    const Container& c = container(v, ContainerKind::VecU8);
    charge(per_byte * c.bytes.size());
    out += "0x" + to_hex(c.bytes, false);
  }

  void format(const Type& t, const Value& v, size_t depth) {
    charge(base);
    if (t.kind <= TypeKind::Address) return scalar(value_kind(t.kind), v);
    switch (t.kind) {
      case TypeKind::Signer: signer(v); break;
      case TypeKind::Vector: {
        const Type& elem = t.args.at(0);
        if (elem.kind == TypeKind::U8) return bytes(v);
        const Container& c = container(v, ContainerKind::Vector);
        out += '[';
        bool composite = elem.kind == TypeKind::Vector || elem.kind == TypeKind::Struct;
        sequence(c.values, &elem, true, nullptr, depth, !single_line && composite);
        out += ']';
        break;
      }
      case TypeKind::Struct: format_struct(t, v, depth); break;
      case TypeKind::Function: format_closure(v, depth); break;
      default: fail(invariant("string_utils: type cannot be formatted"));
    }
  }

  // Captured values of closures print by their runtime layouts, as in Aptos: no type or field
  // names, structs as `{ 1, 2 }`, enum values as `#1{ 2 }`, strings and options like any struct.
  void format(const TypeLayout& l, const Value& v, size_t depth) {
    charge(base);
    if (l.kind <= LayoutKind::Address) return scalar(value_kind(l.kind), v);
    switch (l.kind) {
      case LayoutKind::Signer: signer(v); break;
      case LayoutKind::Vector: {
        const TypeLayout& elem = l.fields.at(0);
        if (elem.kind == LayoutKind::U8) return bytes(v);
        const Container& c = container(v, ContainerKind::Vector);
        out += '[';
        bool composite = elem.kind == LayoutKind::Vector || elem.kind == LayoutKind::Struct || elem.kind == LayoutKind::Enum;
        sequence(c.values, &elem, true, nullptr, depth, !single_line && composite);
        out += ']';
        break;
      }
      case LayoutKind::Struct: {
        const Container& s = container(v, ContainerKind::Struct);
        if (s.values.size() != l.fields.size()) fail(invariant("string_utils: malformed struct"));
        out += '{';
        sequence(s.values, l.fields.data(), false, nullptr, depth, !single_line);
        out += '}';
        break;
      }
      case LayoutKind::Enum: {
        const Container& e = container(v, ContainerKind::Variant);
        if (e.variant >= l.variants.size()) {
          abort = kInvalidFormat;
          throw Stop{};
        }
        if (e.values.size() != l.variants[e.variant].size()) fail(invariant("string_utils: malformed variant"));
        out += "#" + std::to_string(e.variant) + "{";
        sequence(e.values, l.variants[e.variant].data(), false, nullptr, depth, !single_line);
        out += '}';
        break;
      }
      case LayoutKind::Function: format_closure(v, depth); break;
      default: fail(invariant("string_utils: layout cannot be formatted"));
    }
  }

  std::vector<Type> field_types(const std::vector<Type>& declared, const Type& t) {
    std::vector<Type> r;
    r.reserve(declared.size());
    for (const auto& f : declared) r.push_back(Loader::instantiate(f, t.args));
    return r;
  }

  void format_struct(const Type& t, const Value& v, size_t depth) {
    const StructInfo& info = *t.struct_info;
    if (is_struct(t, "string", "String")) {
      const Container& s = container(v, ContainerKind::Struct);
      if (s.values.size() != 1) fail(invariant("string_utils: malformed String"));
      const Container& bytes = container(s.values[0], ContainerKind::VecU8);
      charge(per_byte * bytes.bytes.size());
      out += '"';
      for (uint8_t b : bytes.bytes) {
        if (b == '\\' || b == '"') out += '\\';
        out += char(b);
      }
      out += '"';
      return;
    }
    if (is_struct(t, "option", "Option")) {
      // Legacy struct { vec: vector<T> } or the enum None / Some { e }: both print alike, the
      // payload at the same depth.
      const Value* inner = nullptr;
      Value elem;
      if (v.is_container(ContainerKind::Variant)) {
        if (v.c->variant != 0) {
          if (v.c->values.size() != 1) fail(invariant("string_utils: malformed Option"));
          inner = &v.c->values[0];
        }
      } else {
        const Container& s = container(v, ContainerKind::Struct);
        if (s.values.size() != 1 || s.values[0].kind != ValueKind::Container || !s.values[0].c)
          fail(invariant("string_utils: malformed Option"));
        const Container& vec = *s.values[0].c;
        if (vec.size() > 0) {
          elem = element(vec, vec.size() - 1);
          inner = &elem;
        }
      }
      if (!inner) {
        out += "None";
        return;
      }
      out += "Some(";
      format(t.args.at(0), *inner, depth);
      out += ')';
      return;
    }
    if (info.is_enum) {
      const Container& e = container(v, ContainerKind::Variant);
      if (e.variant >= info.variants.size()) {
        abort = kInvalidFormat;
        throw Stop{};
      }
      if (e.values.size() != info.variants[e.variant].size()) fail(invariant("string_utils: malformed variant"));
      out += info.variant_names[e.variant] + "{";
      auto types = field_types(info.variants[e.variant], t);
      sequence(e.values, types.data(), false, &info.variant_field_names[e.variant], depth,
               !single_line);
      out += '}';
      return;
    }
    const Container& s = container(v, ContainerKind::Struct);
    if (s.values.size() != info.fields.size()) fail(invariant("string_utils: malformed struct"));
    if (type_tag) {
      auto tag = ctx.type_tag_of(t);
      if (!tag) fail(tag.error());
      out += tag->to_string() + " {";  // "0x1::m::S<u64>": the struct tag's canonical string
    } else {
      out += info.name + " {";
    }
    auto types = field_types(info.fields, t);
    sequence(s.values, types.data(), false, &info.field_names, depth, !single_line);
    out += '}';
  }

  // `0x1::m::f<T>(captured, _, ..)`: the function's name (module address in AIP-40 form, type
  // arguments as canonical tags), then per parameter up to the last captured one its value or
  // `_`, and always a trailing `..`; `()` when nothing is captured.
  void format_closure(const Value& v, size_t depth) {
    const Container& c = container(v, ContainerKind::Closure);
    std::string name;
    std::vector<TypeLayout> layouts;  // of the captured values
    if (c.function) {
      const LoadedFunction& fn = *c.function;
      if (!fn.in_script && fn.module) name = standard_address(fn.module->address) + "::" + fn.module->name;
      name += "::" + fn.name;
      std::vector<std::string> tys;
      for (const auto& t : c.function_type_args) {
        auto tag = ctx.type_tag_of(t);
        if (!tag) fail(tag.error());
        tys.push_back(tag->to_string());
      }
      name += type_args(tys);
      for (size_t i = 0; i < fn.params.size() && i < 64; ++i) {
        if (!(c.mask >> i & 1)) continue;
        auto layout = ctx.layout_of(Loader::instantiate(fn.params[i], c.function_type_args));
        if (!layout) fail(layout.error());
        layouts.push_back(std::move(*layout));
      }
    } else if (c.stored) {  // read from storage, not called yet: what was stored names it
      const ClosureData& d = *c.stored;
      std::vector<std::string> tys;
      for (const auto& t : d.ty_args) tys.push_back(t.to_string());
      name = standard_address(d.address) + "::" + d.module + "::" + d.function + type_args(tys);
      layouts = d.captured_layouts;
    } else {
      fail(invariant("string_utils: closure without a function"));
    }
    if (layouts.size() != c.values.size()) fail(invariant("string_utils: captured values do not match the function"));
    out += name + '(';
    if (!layouts.empty()) {
      bool newline = !single_line;
      size_t i = 0, captured = 0;
      for (uint64_t mask = c.mask; mask != 0; mask >>= 1, ++i) {
        if (i > 0) {
          out += ',';
          space_or_newline(newline, depth + 1);
        }
        if (mask & 1) {
          if (captured >= layouts.size()) fail(invariant("string_utils: captured argument missing"));
          format(layouts[captured], c.values[captured], depth + 1);
          ++captured;
        } else {
          out += '_';
        }
      }
      out += ',';
      space_or_newline(newline, depth + 1);
      out += "..";
    }
    out += ')';
  }

  static std::string type_args(const std::vector<std::string>& tys) {
    if (tys.empty()) return "";
    std::string r = "<";
    for (size_t i = 0; i < tys.size(); ++i) r += (i ? ", " : "") + tys[i];
    return r + ">";
  }
};

// The value a `&T` argument designates (containers shared, primitives copied).
std::optional<Value> target_of(const Value& ref) {
  if (ref.kind == ValueKind::ContainerRef && ref.c) return Value::container(ref.c);
  if (ref.kind == ValueKind::IndexedRef) {
    auto r = read_ref(ref);
    if (r) return std::move(*r);
  }
  return std::nullopt;
}

std::optional<bool> bool_of(const Value& v) {
  if (v.kind != ValueKind::Bool) return std::nullopt;
  return v.b;
}

Expected<NativeResult> finish(Formatter& f) {
  if (f.error) return *f.error;
  if (f.abort) return NativeResult::abort(*f.abort, f.cost);
  return NativeResult::ok({make_string(f.out)}, f.cost);
}

}  // namespace

void register_string_utils(Registrar& r, const GasParameters& g, const NativeOptions& options) {
  uint64_t base = g.native("aptos_framework.string_utils.format.base");
  uint64_t per_byte = g.native("aptos_framework.string_utils.format.per_byte");
  // SIGNER_NATIVE_FORMAT_FIX (25) from the session's features when it carries them (the
  // framework adds them per session), else the registration's option.
  auto signer_fix_of = [fix = options.signer_native_format_fix](NativeContext& ctx) {
    const FeatureFlags* f = ctx.extensions().get<FeatureFlags>();
    return f ? f->enabled(25) : fix;
  };

  r.add(1, "string_utils", "native_format", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 5) return invariant("string_utils::native_format arity");
    auto value = target_of(a[0]);
    auto type_tag = bool_of(a[1]), canonicalize = bool_of(a[2]), single_line = bool_of(a[3]), ints = bool_of(a[4]);
    if (!value || !type_tag || !canonicalize || !single_line || !ints)
      return invariant("string_utils::native_format arguments");
    Formatter f{ctx, base, per_byte, signer_fix_of(ctx), *type_tag, *canonicalize, *single_line, *ints};
    try {
      f.format(ty[0], *value, 0);
    } catch (const Stop&) {
    }
    return finish(f);
  });

  r.add(1, "string_utils", "native_format_list", [=](NativeContext& ctx, Ty ty, Args& a) -> Expected<NativeResult> {
    if (ty.size() != 1 || a.size() != 2) return invariant("string_utils::native_format_list arity");
    const Bytes* fmt = bytes_of(a[0]);
    auto list = target_of(a[1]);
    if (!fmt || !list) return invariant("string_utils::native_format_list arguments");
    // Each `{}` formats the list's head as debug_string does, on one line.
    Formatter f{ctx, base, per_byte, signer_fix_of(ctx), /*type_tag*/ true, /*canonicalize*/ false, /*single_line*/ true,
                /*include_int_type*/ false};
    if (!valid_utf8(*fmt)) return NativeResult::abort(kInvalidFormat);
    Type list_ty = ty[0];
    Value node = *list;
    try {
      f.charge(per_byte * fmt->size());
      int in_braces = 0;  // 1: after '{', -1: after '}'
      for (uint8_t c : *fmt) {
        if (in_braces == 1) {
          in_braces = 0;
          if (c == '}') {
            if (!is_struct(list_ty, "string_utils", "Cons")) {
              f.abort = kArgsMismatch;
              break;
            }
            if (!node.is_container(ContainerKind::Struct) || node.c->values.size() != 2 || list_ty.args.size() != 2)
              return invariant("string_utils: malformed Cons");
            Value head = node.c->values[0];
            Value tail = node.c->values[1];
            Type head_ty = list_ty.args[0];
            Type tail_ty = list_ty.args[1];
            f.format(head_ty, head, 0);
            node = std::move(tail);
            list_ty = std::move(tail_ty);
            continue;
          }
          if (c != '{') {
            f.abort = kInvalidFormat;
            break;
          }
        } else if (in_braces == -1) {
          in_braces = 0;
          if (c != '}') {
            f.abort = kInvalidFormat;
            break;
          }
        } else if (c == '{') {
          in_braces = 1;
          continue;
        } else if (c == '}') {
          in_braces = -1;
          continue;
        }
        f.out += char(c);
      }
      if (!f.abort && in_braces != 0) f.abort = kInvalidFormat;
      if (!f.abort && !is_struct(list_ty, "string_utils", "NIL")) f.abort = kArgsMismatch;
    } catch (const Stop&) {
    }
    return finish(f);
  });
}

}  // namespace lumio::movevm::natives
