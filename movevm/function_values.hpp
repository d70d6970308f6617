// Storable function values (Aptos move-vm-types function_values_impl.rs, move-core-types
// function.rs): the storage form of closures, their identity, and lazy resolution.
//
// Wire format (format V1), a BCS sequence of 5 + 2n elements for n captured values:
//   uleb(5 + 2n) · u16 format_version (1) · ModuleId (address, identifier) · identifier
//   (function) · vector<TypeTag> · u64 mask · n × (MoveTypeLayout, value by that layout)
// Layouts are runtime layouts: structs as MoveStructLayout::Runtime (0), enums as
// RuntimeVariants (1). A closure is storable when its function is public or #[persistent].
#pragma once
#include <optional>

#include "movevm/loader.hpp"
#include "movevm/value.hpp"

namespace lumio::movevm {

inline constexpr uint16_t kFunctionDataFormatV1 = 1;

// Aptos Function::is_persistent: public, or carrying the #[persistent] attribute.
bool is_persistent(const LoadedFunction& fn);

// The storage identity of a closure: its `stored` data, or (resolved closures) computed from
// the function, nullopt when the closure is not storable.
std::optional<ClosureData> closure_data_of(const Container& closure);

// Equality of two closures' functions as Aptos's cmp_dyn defines it: module id, function
// name and type arguments (resolved or not). nullopt: not closures.
std::optional<bool> same_closure_function(const Container& a, const Container& b);

// Order of two closures' functions as Aptos's cmp_dyn (0x1::cmp::compare): module id (script
// functions first; address, then name), function name, then type arguments as TypeTag's derived
// order (variant index, then contents). -1/0/1; nullopt: not closures.
std::optional<int> compare_closure_functions(const Container& a, const Container& b);

// BCS of MoveTypeLayout / reading it back (runtime layouts only; depth bounded).
void serialize_layout(const TypeLayout& layout, Bytes& out);

// Resolves a closure read from storage (LazyLoadedFunction::resolve): loads the module and
// function (LINKER_ERROR / FUNCTION_RESOLUTION_FAILURE), instantiates the type arguments
// (NUMBER_OF_TYPE_ARGUMENTS_MISMATCH / CONSTRAINT_NOT_SATISFIED), and checks the stored
// captured layouts against the function's parameters (FUNCTION_RESOLUTION_FAILURE).
std::optional<VMError> resolve_closure(Loader& loader, Container& closure);

// Runtime layout of an instantiated type without a loader (struct infos carry their fields).
std::optional<TypeLayout> runtime_layout_of(const Type& t);
std::optional<TypeTag> runtime_tag_of(const Type& t);

// Bounded readers over `bytes` from `pos` (advanced on success): BCS TypeTag (function tags
// unsupported) and MoveTypeLayout (runtime layouts only), nesting up to 128 levels.
std::optional<TypeTag> read_type_tag(BytesView bytes, size_t& pos);
std::optional<TypeLayout> read_layout(BytesView bytes, size_t& pos);

}  // namespace lumio::movevm
