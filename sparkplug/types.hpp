#pragma once
// floe's own model of a Sparkplug B payload. The codec (payload_codec.hpp) converts between
// these types and the protobuf wire form; nothing outside sparkplug/ sees generated protobuf
// classes. Facts (enum values, field meaning) follow Sparkplug B 3.0, chapter 6.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace floe::sparkplug {

// Sparkplug B DataType. Values are the protocol's; on the wire they travel as uint32.
enum class datatype : uint32_t {
  unknown = 0,
  int8 = 1,
  int16 = 2,
  int32 = 3,
  int64 = 4,
  uint8 = 5,
  uint16 = 6,
  uint32 = 7,
  uint64 = 8,
  float32 = 9,  // "Float"
  float64 = 10, // "Double"
  boolean = 11,
  string = 12,
  datetime = 13, // ms since the Unix epoch, UTC
  text = 14,
  uuid = 15,
  dataset = 16,
  bytes = 17,
  file = 18,
  template_type = 19,
  property_set = 20,      // PropertyValue only
  property_set_list = 21, // PropertyValue only
  int8_array = 22,
  int16_array = 23,
  int32_array = 24,
  int64_array = 25,
  uint8_array = 26,
  uint16_array = 27,
  uint32_array = 28,
  uint64_array = 29,
  float_array = 30,
  double_array = 31,
  boolean_array = 32,
  string_array = 33,
  datetime_array = 34,
};

inline constexpr uint32_t max_datatype_value = 34;

// Spec name ("Int8", "Double", "DateTimeArray"); "Invalid" for values outside the enum.
const char* to_string(datatype t) noexcept;
// Inverse of to_string, case-insensitive; nullopt for an unknown name.
std::optional<datatype> datatype_from_string(std::string_view name) noexcept;
// True for 0..34.
bool is_valid_datatype(uint32_t raw) noexcept;
// Basic types (Unknown..Text, 0..14): allowed in DataSet columns, template parameters, properties.
bool is_basic(datatype t) noexcept;
bool is_array(datatype t) noexcept;
bool is_signed_integer(datatype t) noexcept;   // Int8..Int64
bool is_unsigned_integer(datatype t) noexcept; // UInt8..UInt64
// Numeric in the sense of windows and thresholds: integers, Float, Double (not DateTime, not Boolean).
bool is_numeric(datatype t) noexcept;

using bytes = std::vector<uint8_t>;

// One scalar of a basic type: used for DataSet cells, template parameters and (with the two
// property-set alternatives added) property values. Representation by datatype:
//   Int8..Int64 -> int64_t (sign-extended), UInt8..UInt64 and DateTime -> uint64_t,
//   Float -> float, Double -> double, Boolean -> bool, String/Text/UUID -> std::string,
//   null or absent -> std::monostate.
using scalar = std::variant<std::monostate, bool, int64_t, uint64_t, float, double, std::string>;

struct dataset {
  std::vector<std::string> columns;
  std::vector<datatype> types; // one per column, basic types only
  std::vector<std::vector<scalar>> rows; // every row has columns.size() cells

  friend bool operator==(const dataset& a, const dataset& b) {
    return a.columns == b.columns && a.types == b.types && a.rows == b.rows;
  }
};

struct property_value;

// Parallel key/value lists, as on the wire (keys.size() == values.size()).
struct property_set {
  std::vector<std::string> keys;
  std::vector<property_value> values;

  // Null when the key is absent.
  const property_value* find(std::string_view key) const noexcept;
};

struct property_value {
  datatype type = datatype::unknown; // basic type, PropertySet or PropertySetList
  std::variant<std::monostate, bool, int64_t, uint64_t, float, double, std::string,
               property_set, std::vector<property_set>>
    value; // monostate: is_null
};

// Equality of property values, parameters, templates, metrics and payloads compares Float and
// Double by bit pattern (NaN equals itself, -0.0 differs from 0.0): "same value on the wire".
// Note: dataset's own operator== above compares cells with IEEE ==; inside a metric value a
// dataset is compared by bit pattern like everything else.
bool operator==(const property_set& a, const property_set& b);
bool operator==(const property_value& a, const property_value& b);

struct metadata {
  std::optional<bool> is_multi_part;
  std::optional<std::string> content_type;
  std::optional<uint64_t> size; // bytes
  std::optional<uint64_t> seq;  // multi-part sequence number
  std::optional<std::string> file_name;
  std::optional<std::string> file_type;
  std::optional<std::string> md5;
  std::optional<std::string> description;

  friend bool operator==(const metadata& a, const metadata& b) {
    return a.is_multi_part == b.is_multi_part && a.content_type == b.content_type
           && a.size == b.size && a.seq == b.seq && a.file_name == b.file_name
           && a.file_type == b.file_type && a.md5 == b.md5 && a.description == b.description;
  }
};

struct metric;

struct template_parameter {
  std::optional<std::string> name;
  datatype type = datatype::unknown; // basic types only
  scalar value;
};
bool operator==(const template_parameter& a, const template_parameter& b);

struct template_value {
  std::optional<std::string> version;
  std::vector<metric> metrics;
  std::vector<template_parameter> parameters;
  std::optional<std::string> template_ref; // absent in definitions
  std::optional<bool> is_definition;
};
bool operator==(const template_value& a, const template_value& b);

// A metric value. Alternative by datatype:
//   Int8..Int64 -> int64_t, UInt8..UInt64 and DateTime -> uint64_t, Float -> float,
//   Double -> double, Boolean -> bool, String/Text/UUID -> std::string, Bytes/File -> bytes,
//   DataSet -> dataset, Template -> template_value,
//   Int8Array..Int64Array -> vector<int64_t>, UInt8Array..UInt64Array and DateTimeArray ->
//   vector<uint64_t>, FloatArray -> vector<float>, DoubleArray -> vector<double>,
//   BooleanArray -> vector<bool>, StringArray -> vector<string>, null -> monostate.
// While a metric's datatype is unknown (a DATA message that names only an alias), the value
// holds the raw wire field instead: int_value/long_value -> uint64_t, float_value -> float,
// double_value -> double, boolean_value -> bool, string_value -> string, bytes_value -> bytes,
// dataset_value -> dataset, template_value -> template_value. resolve_datatype() turns it
// into the typed form once the birth certificate supplies the datatype.
using value = std::variant<std::monostate, bool, int64_t, uint64_t, float, double, std::string,
                           bytes, dataset, template_value, std::vector<int64_t>,
                           std::vector<uint64_t>, std::vector<float>, std::vector<double>,
                           std::vector<bool>, std::vector<std::string>>;

struct metric {
  std::optional<std::string> name; // required in births; may be omitted when an alias is used
  std::optional<uint64_t> alias;
  std::optional<uint64_t> timestamp; // ms since the Unix epoch, UTC
  // The value's datatype; unknown while only the birth knows it (see `value`).
  datatype type = datatype::unknown;
  // Decode: the datatype field was present on the wire. Encode: write it (births and commands
  // carry datatypes; DATA messages usually do not).
  bool datatype_on_wire = true;
  bool is_historical = false;
  bool is_transient = false;
  bool is_null = false;
  std::optional<metadata> meta;
  std::optional<property_set> properties;
  value val;
};
bool operator==(const metric& a, const metric& b);

struct payload {
  std::optional<uint64_t> timestamp; // ms since the Unix epoch, UTC: time of publish
  std::vector<metric> metrics;
  std::optional<uint64_t> seq; // 0..255
  std::optional<std::string> uuid;
  std::optional<bytes> body;
};
bool operator==(const payload& a, const payload& b);

// Well-known metric names.
inline constexpr std::string_view bdseq_metric = "bdSeq";
inline constexpr std::string_view node_rebirth_metric = "Node Control/Rebirth";

} // namespace floe::sparkplug
