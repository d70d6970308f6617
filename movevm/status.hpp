// Aptos Move VM status codes (move-core-types vm_status.rs), numerically identical, so that
// outcomes can be compared with Aptos's expected outputs and returned over the wire unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lumio::movevm {

#define LUMIO_MOVE_STATUS_CODES(X)                              \
  /* Validation 0-999 */                                        \
  X(UNKNOWN_VALIDATION_STATUS, 0)                               \
  X(INVALID_SIGNATURE, 1)                                       \
  X(INVALID_AUTH_KEY, 2)                                        \
  X(SEQUENCE_NUMBER_TOO_OLD, 3)                                 \
  X(SEQUENCE_NUMBER_TOO_NEW, 4)                                 \
  X(INSUFFICIENT_BALANCE_FOR_TRANSACTION_FEE, 5)                \
  X(TRANSACTION_EXPIRED, 6)                                     \
  X(SENDING_ACCOUNT_DOES_NOT_EXIST, 7)                          \
  X(REJECTED_WRITE_SET, 8)                                      \
  X(INVALID_WRITE_SET, 9)                                       \
  X(EXCEEDED_MAX_TRANSACTION_SIZE, 10)                          \
  X(UNKNOWN_SCRIPT, 11)                                         \
  X(UNKNOWN_MODULE, 12)                                         \
  X(MAX_GAS_UNITS_EXCEEDS_MAX_GAS_UNITS_BOUND, 13)              \
  X(MAX_GAS_UNITS_BELOW_MIN_TRANSACTION_GAS_UNITS, 14)          \
  X(GAS_UNIT_PRICE_BELOW_MIN_BOUND, 15)                         \
  X(GAS_UNIT_PRICE_ABOVE_MAX_BOUND, 16)                         \
  X(INVALID_GAS_SPECIFIER, 17)                                  \
  X(SENDING_ACCOUNT_FROZEN, 18)                                 \
  X(UNABLE_TO_DESERIALIZE_ACCOUNT, 19)                          \
  X(CURRENCY_INFO_DOES_NOT_EXIST, 20)                           \
  X(INVALID_MODULE_PUBLISHER, 21)                               \
  X(NO_ACCOUNT_ROLE, 22)                                        \
  X(BAD_CHAIN_ID, 23)                                           \
  X(SEQUENCE_NUMBER_TOO_BIG, 24)                                \
  X(BAD_TRANSACTION_FEE_CURRENCY, 25)                           \
  X(FEATURE_UNDER_GATING, 26)                                   \
  X(SECONDARY_KEYS_ADDRESSES_COUNT_MISMATCH, 27)                \
  X(SIGNERS_CONTAIN_DUPLICATES, 28)                             \
  X(SEQUENCE_NONCE_INVALID, 29)                                 \
  X(CHAIN_ACCOUNT_INFO_DOES_NOT_EXIST, 30)                      \
  X(ACCOUNT_NOT_MULTISIG, 31)                                   \
  X(NOT_MULTISIG_OWNER, 32)                                     \
  X(MULTISIG_TRANSACTION_NOT_FOUND, 33)                         \
  X(MULTISIG_TRANSACTION_INSUFFICIENT_APPROVALS, 34)            \
  X(MULTISIG_TRANSACTION_PAYLOAD_DOES_NOT_MATCH_HASH, 35)       \
  X(GAS_PAYER_ACCOUNT_MISSING, 36)                              \
  X(INSUFFICIENT_BALANCE_FOR_REQUIRED_DEPOSIT, 37)              \
  X(GAS_PARAMS_MISSING, 38)                                     \
  X(REQUIRED_DEPOSIT_INCONSISTENT_WITH_TXN_MAX_GAS, 39)         \
  X(MULTISIG_TRANSACTION_PAYLOAD_DOES_NOT_MATCH, 40)            \
  X(ACCOUNT_AUTHENTICATION_GAS_LIMIT_EXCEEDED, 41)              \
  X(NONCE_ALREADY_USED, 42)                                     \
  X(EMPTY_PAYLOAD_PROVIDED, 43)                                 \
  X(TRANSACTION_EXPIRATION_TOO_FAR_IN_FUTURE, 44)               \
  X(INVALID_NUMBER_OF_AUTHENTICATION_PROOFS, 45)                \
  /* Verification 1000-1999 */                                  \
  X(UNKNOWN_VERIFICATION_ERROR, 1000)                           \
  X(INDEX_OUT_OF_BOUNDS, 1001)                                  \
  X(INVALID_SIGNATURE_TOKEN, 1003)                              \
  X(RECURSIVE_STRUCT_DEFINITION, 1005)                          \
  X(FIELD_MISSING_TYPE_ABILITY, 1006)                           \
  X(INVALID_FALL_THROUGH, 1007)                                 \
  X(NEGATIVE_STACK_SIZE_WITHIN_BLOCK, 1009)                     \
  X(INVALID_MAIN_FUNCTION_SIGNATURE, 1011)                      \
  X(DUPLICATE_ELEMENT, 1012)                                    \
  X(INVALID_MODULE_HANDLE, 1013)                                \
  X(UNIMPLEMENTED_HANDLE, 1014)                                 \
  X(LOOKUP_FAILED, 1017)                                        \
  X(TYPE_MISMATCH, 1020)                                        \
  X(MISSING_DEPENDENCY, 1021)                                   \
  X(POP_WITHOUT_DROP_ABILITY, 1023)                             \
  X(BR_TYPE_MISMATCH_ERROR, 1025)                               \
  X(ABORT_TYPE_MISMATCH_ERROR, 1026)                            \
  X(STLOC_TYPE_MISMATCH_ERROR, 1027)                            \
  X(STLOC_UNSAFE_TO_DESTROY_ERROR, 1028)                        \
  X(UNSAFE_RET_LOCAL_OR_RESOURCE_STILL_BORROWED, 1029)          \
  X(RET_TYPE_MISMATCH_ERROR, 1030)                              \
  X(RET_BORROWED_MUTABLE_REFERENCE_ERROR, 1031)                 \
  X(FREEZEREF_TYPE_MISMATCH_ERROR, 1032)                        \
  X(FREEZEREF_EXISTS_MUTABLE_BORROW_ERROR, 1033)                \
  X(BORROWFIELD_TYPE_MISMATCH_ERROR, 1034)                      \
  X(BORROWFIELD_BAD_FIELD_ERROR, 1035)                          \
  X(BORROWFIELD_EXISTS_MUTABLE_BORROW_ERROR, 1036)              \
  X(COPYLOC_UNAVAILABLE_ERROR, 1037)                            \
  X(COPYLOC_WITHOUT_COPY_ABILITY, 1038)                         \
  X(COPYLOC_EXISTS_BORROW_ERROR, 1039)                          \
  X(MOVELOC_UNAVAILABLE_ERROR, 1040)                            \
  X(MOVELOC_EXISTS_BORROW_ERROR, 1041)                          \
  X(BORROWLOC_REFERENCE_ERROR, 1042)                            \
  X(BORROWLOC_UNAVAILABLE_ERROR, 1043)                          \
  X(BORROWLOC_EXISTS_BORROW_ERROR, 1044)                        \
  X(CALL_TYPE_MISMATCH_ERROR, 1045)                             \
  X(CALL_BORROWED_MUTABLE_REFERENCE_ERROR, 1046)                \
  X(PACK_TYPE_MISMATCH_ERROR, 1047)                             \
  X(UNPACK_TYPE_MISMATCH_ERROR, 1048)                           \
  X(READREF_TYPE_MISMATCH_ERROR, 1049)                          \
  X(READREF_WITHOUT_COPY_ABILITY, 1050)                         \
  X(READREF_EXISTS_MUTABLE_BORROW_ERROR, 1051)                  \
  X(WRITEREF_TYPE_MISMATCH_ERROR, 1052)                         \
  X(WRITEREF_WITHOUT_DROP_ABILITY, 1053)                        \
  X(WRITEREF_EXISTS_BORROW_ERROR, 1054)                         \
  X(WRITEREF_NO_MUTABLE_REFERENCE_ERROR, 1055)                  \
  X(INTEGER_OP_TYPE_MISMATCH_ERROR, 1056)                       \
  X(BOOLEAN_OP_TYPE_MISMATCH_ERROR, 1057)                       \
  X(EQUALITY_OP_TYPE_MISMATCH_ERROR, 1058)                      \
  X(EXISTS_WITHOUT_KEY_ABILITY_OR_BAD_ARGUMENT, 1059)           \
  X(BORROWGLOBAL_TYPE_MISMATCH_ERROR, 1060)                     \
  X(BORROWGLOBAL_WITHOUT_KEY_ABILITY, 1061)                     \
  X(MOVEFROM_TYPE_MISMATCH_ERROR, 1062)                         \
  X(MOVEFROM_WITHOUT_KEY_ABILITY, 1063)                         \
  X(MOVETO_TYPE_MISMATCH_ERROR, 1064)                           \
  X(MOVETO_WITHOUT_KEY_ABILITY, 1065)                           \
  X(MODULE_ADDRESS_DOES_NOT_MATCH_SENDER, 1067)                 \
  X(NO_MODULE_HANDLES, 1068)                                    \
  X(POSITIVE_STACK_SIZE_AT_BLOCK_END, 1069)                     \
  X(MISSING_ACQUIRES_ANNOTATION, 1070)                          \
  X(EXTRANEOUS_ACQUIRES_ANNOTATION, 1071)                       \
  X(DUPLICATE_ACQUIRES_ANNOTATION, 1072)                        \
  X(INVALID_ACQUIRES_ANNOTATION, 1073)                          \
  X(GLOBAL_REFERENCE_ERROR, 1074)                               \
  X(CONSTRAINT_NOT_SATISFIED, 1075)                             \
  X(NUMBER_OF_TYPE_ARGUMENTS_MISMATCH, 1076)                    \
  X(LOOP_IN_INSTANTIATION_GRAPH, 1077)                          \
  X(ZERO_SIZED_STRUCT, 1080)                                    \
  X(LINKER_ERROR, 1081)                                         \
  X(INVALID_CONSTANT_TYPE, 1082)                                \
  X(MALFORMED_CONSTANT_DATA, 1083)                              \
  X(EMPTY_CODE_UNIT, 1084)                                      \
  X(INVALID_LOOP_SPLIT, 1085)                                   \
  X(INVALID_LOOP_BREAK, 1086)                                   \
  X(INVALID_LOOP_CONTINUE, 1087)                                \
  X(UNSAFE_RET_UNUSED_VALUES_WITHOUT_DROP, 1088)                \
  X(TOO_MANY_LOCALS, 1089)                                      \
  X(GENERIC_MEMBER_OPCODE_MISMATCH, 1090)                       \
  X(FUNCTION_RESOLUTION_FAILURE, 1091)                          \
  X(INVALID_OPERATION_IN_SCRIPT, 1094)                          \
  X(DUPLICATE_MODULE_NAME, 1095)                                \
  X(BACKWARD_INCOMPATIBLE_MODULE_UPDATE, 1096)                  \
  X(CYCLIC_MODULE_DEPENDENCY, 1097)                             \
  X(NUMBER_OF_ARGUMENTS_MISMATCH, 1098)                         \
  X(INVALID_PARAM_TYPE_FOR_DESERIALIZATION, 1099)               \
  X(FAILED_TO_DESERIALIZE_ARGUMENT, 1100)                       \
  X(NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH, 1101)                  \
  X(CALLED_SCRIPT_VISIBLE_FROM_NON_SCRIPT_VISIBLE, 1102)        \
  X(EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION, 1103)  \
  X(INVALID_FRIEND_DECL_WITH_SELF, 1104)                        \
  X(INVALID_FRIEND_DECL_WITH_MODULES_OUTSIDE_ACCOUNT_ADDRESS, 1105) \
  X(INVALID_FRIEND_DECL_WITH_MODULES_IN_DEPENDENCIES, 1106)     \
  X(CYCLIC_MODULE_FRIENDSHIP, 1107)                             \
  X(INVALID_PHANTOM_TYPE_PARAM_POSITION, 1108)                  \
  X(VEC_UPDATE_EXISTS_MUTABLE_BORROW_ERROR, 1109)               \
  X(VEC_BORROW_ELEMENT_EXISTS_MUTABLE_BORROW_ERROR, 1110)       \
  X(LOOP_MAX_DEPTH_REACHED, 1111)                               \
  X(TOO_MANY_TYPE_PARAMETERS, 1112)                             \
  X(TOO_MANY_PARAMETERS, 1113)                                  \
  X(TOO_MANY_BASIC_BLOCKS, 1114)                                \
  X(VALUE_STACK_OVERFLOW, 1115)                                 \
  X(TOO_MANY_TYPE_NODES, 1116)                                  \
  X(VALUE_STACK_PUSH_OVERFLOW, 1117)                            \
  X(MAX_DEPENDENCY_DEPTH_REACHED, 1118)                         \
  X(MAX_FUNCTION_DEFINITIONS_REACHED, 1119)                     \
  X(MAX_STRUCT_DEFINITIONS_REACHED, 1120)                       \
  X(MAX_FIELD_DEFINITIONS_REACHED, 1121)                        \
  X(TOO_MANY_BACK_EDGES, 1122)                                  \
  X(EVENT_METADATA_VALIDATION_ERROR, 1123)                      \
  X(DEPENDENCY_LIMIT_REACHED, 1124)                             \
  X(UNSTABLE_BYTECODE_REJECTED, 1125)                           \
  X(PROGRAM_TOO_COMPLEX, 1126)                                  \
  X(USER_DEFINED_NATIVE_NOT_ALLOWED, 1127)                      \
  X(MAX_STRUCT_VARIANTS_REACHED, 1128)                          \
  X(TEST_VARIANT_TYPE_MISMATCH_ERROR, 1129)                     \
  X(ZERO_VARIANTS_ERROR, 1130)                                  \
  X(FEATURE_NOT_ENABLED, 1131)                                  \
  X(INVALID_CLOSURE_MASK, 1132)                                 \
  X(CLOSURE_CALL_REQUIRES_FUNCTION, 1133)                       \
  X(INVALID_INIT_MODULE, 1134)                                  \
  X(FRIEND_NOT_FOUND_IN_MODULE_BUNDLE, 1135)                    \
  X(INVALID_STRUCT_API_CODE, 1136)                              \
  X(IMMUTABLE_FUNCTION_CALLS_NON_IMMUTABLE, 1137)               \
  X(INVALID_CONST_API_CODE, 1138)                               \
  /* Invariant violations 2000-2999 */                          \
  X(UNKNOWN_INVARIANT_VIOLATION_ERROR, 2000)                    \
  X(EMPTY_VALUE_STACK, 2003)                                    \
  X(PC_OVERFLOW, 2005)                                          \
  X(VERIFICATION_ERROR, 2006)                                   \
  X(STORAGE_ERROR, 2008)                                        \
  X(INTERNAL_TYPE_ERROR, 2009)                                  \
  X(EVENT_KEY_MISMATCH, 2010)                                   \
  X(UNREACHABLE, 2011)                                          \
  X(VM_STARTUP_FAILURE, 2012)                                   \
  X(UNEXPECTED_ERROR_FROM_KNOWN_MOVE_FUNCTION, 2015)            \
  X(VERIFIER_INVARIANT_VIOLATION, 2016)                         \
  X(UNEXPECTED_VERIFIER_ERROR, 2017)                            \
  X(UNEXPECTED_DESERIALIZATION_ERROR, 2018)                     \
  X(FAILED_TO_SERIALIZE_WRITE_SET_CHANGES, 2019)                \
  X(FAILED_TO_DESERIALIZE_RESOURCE, 2020)                       \
  X(TYPE_RESOLUTION_FAILURE, 2021)                              \
  X(DUPLICATE_NATIVE_FUNCTION, 2022)                            \
  X(DELAYED_FIELD_OR_BLOCKSTM_CODE_INVARIANT_ERROR, 2023)       \
  X(SPECULATIVE_EXECUTION_ABORT_ERROR, 2024)                    \
  X(ACCESS_CONTROL_INVARIANT_VIOLATION, 2025)                   \
  /* Deserialization 3000-3999 */                               \
  X(UNKNOWN_BINARY_ERROR, 3000)                                 \
  X(MALFORMED, 3001)                                            \
  X(BAD_MAGIC, 3002)                                            \
  X(UNKNOWN_VERSION, 3003)                                      \
  X(UNKNOWN_TABLE_TYPE, 3004)                                   \
  X(UNKNOWN_SIGNATURE_TYPE, 3005)                               \
  X(UNKNOWN_SERIALIZED_TYPE, 3006)                              \
  X(UNKNOWN_OPCODE, 3007)                                       \
  X(BAD_HEADER_TABLE, 3008)                                     \
  X(UNEXPECTED_SIGNATURE_TYPE, 3009)                            \
  X(DUPLICATE_TABLE, 3010)                                      \
  X(UNKNOWN_ABILITY, 3013)                                      \
  X(UNKNOWN_NATIVE_STRUCT_FLAG, 3014)                           \
  X(BAD_U16, 3017)                                              \
  X(BAD_U32, 3018)                                              \
  X(BAD_U64, 3019)                                              \
  X(BAD_U128, 3020)                                             \
  X(BAD_U256, 3021)                                             \
  X(VALUE_SERIALIZATION_ERROR, 3022)                            \
  X(VALUE_DESERIALIZATION_ERROR, 3023)                          \
  X(CODE_DESERIALIZATION_ERROR, 3024)                           \
  X(INVALID_FLAG_BITS, 3025)                                    \
  X(UNABLE_TO_CAPTURE_OPTION_TYPE, 3026)                        \
  /* Runtime 4000-4999 */                                       \
  X(UNKNOWN_RUNTIME_STATUS, 4000)                               \
  X(EXECUTED, 4001)                                             \
  X(OUT_OF_GAS, 4002)                                           \
  X(RESOURCE_DOES_NOT_EXIST, 4003)                              \
  X(RESOURCE_ALREADY_EXISTS, 4004)                              \
  X(MISSING_DATA, 4008)                                         \
  X(DATA_FORMAT_ERROR, 4009)                                    \
  X(ABORTED, 4016)                                              \
  X(ARITHMETIC_ERROR, 4017)                                     \
  X(VECTOR_OPERATION_ERROR, 4018)                               \
  X(EXECUTION_STACK_OVERFLOW, 4020)                             \
  X(CALL_STACK_OVERFLOW, 4021)                                  \
  X(VM_MAX_TYPE_DEPTH_REACHED, 4024)                            \
  X(VM_MAX_VALUE_DEPTH_REACHED, 4025)                           \
  X(VM_EXTENSION_ERROR, 4026)                                   \
  X(STORAGE_WRITE_LIMIT_REACHED, 4027)                          \
  X(MEMORY_LIMIT_EXCEEDED, 4028)                                \
  X(VM_MAX_TYPE_NODES_REACHED, 4029)                            \
  X(EXECUTION_LIMIT_REACHED, 4030)                              \
  X(IO_LIMIT_REACHED, 4031)                                     \
  X(STORAGE_LIMIT_REACHED, 4032)                                \
  X(TYPE_TAG_LIMIT_EXCEEDED, 4033)                              \
  X(ACCESS_DENIED, 4034)                                        \
  X(ACCESS_STACK_LIMIT_EXCEEDED, 4035)                          \
  X(TOO_MANY_DELAYED_FIELDS, 4036)                              \
  X(RUNTIME_DISPATCH_ERROR, 4037)                               \
  X(STRUCT_VARIANT_MISMATCH, 4038)                              \
  X(UNIMPLEMENTED_FUNCTIONALITY, 4039)                          \
  X(RUNTIME_CYCLIC_MODULE_DEPENDENCY, 4040)                     \
  X(UNABLE_TO_CAPTURE_DELAYED_FIELDS, 4041)                     \
  X(INVALID_ABORT_MESSAGE, 4042)                                \
  X(ABORT_MESSAGE_LIMIT_EXCEEDED, 4043)                         \
  X(UNKNOWN_STATUS, 18446744073709551615ull)

enum class StatusCode : uint64_t {
#define LUMIO_X(name, value) name = value,
  LUMIO_MOVE_STATUS_CODES(LUMIO_X)
#undef LUMIO_X
};

// "MALFORMED", "INDEX_OUT_OF_BOUNDS", ...; "UNKNOWN_STATUS" for values not in the list.
std::string_view status_name(StatusCode code);

// Which table an index in an error points into (move-binary-format IndexKind, same order).
enum class IndexKind : uint8_t {
  ModuleHandle, StructHandle, FunctionHandle, FieldHandle, FriendDeclaration,
  FunctionInstantiation, FieldInstantiation, StructDefinition, StructDefInstantiation,
  FunctionDefinition, FieldDefinition, Signature, Identifier, AddressIdentifier, ConstantPool,
  LocalPool, CodeDefinition, TypeParameter, MemberCount,
  VariantDefinition, VariantFieldHandle, VariantFieldInstantiation, StructVariantHandle,
  StructVariantInstantiation,
};
std::string_view index_kind_name(IndexKind kind);  // "module handle", "field offset", ...

// A VM error before it is tied to a module: the major status plus the location details
// Aptos attaches (table indices, and function-definition/code-offset pairs).
struct VMError {
  StatusCode status = StatusCode::UNKNOWN_STATUS;
  std::string message;
  std::vector<std::pair<IndexKind, uint16_t>> indices;
  std::vector<std::pair<uint16_t, uint16_t>> offsets;  // (function definition, code offset)
};

}  // namespace lumio::movevm
