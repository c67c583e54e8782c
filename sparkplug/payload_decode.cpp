// Payload decoding: protobuf wire form -> floe::sparkplug::payload, and resolve_datatype().
//
// Value rules (Sparkplug 3.0 chapter 6 plus the deviations real encoders produce; notes 2.8):
// * Decoding first takes the oneof field as it is ("raw": int_value and long_value -> uint64_t,
//   float_value, double_value, ...), then types it by the datatype. A metric without datatype
//   keeps the raw form until resolve_datatype() applies the same typing step later, so typed
//   and late-typed values are identical by construction.
// * Integer datatypes accept int_value or long_value (UInt32 arrives in either; Tahu and
//   Ignition use long_value) and are read by truncating to the width and reinterpreting:
//   Int8 -1 travels as 4294967295 and decodes to -1. Never range-checked: the masking is the
//   rule. Float, Double, Boolean and the string types accept only their own field.
// * is_null wins over any value field; a metric with no value field decodes to std::monostate
//   (template definitions may omit member values). Extension values are not interpreted and
//   decode as std::monostate.
// * DataSet cells without a value are null (Tahu's encoding of a null cell).

#include <google/protobuf/arena.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <climits>

#include "sparkplug/array_codec.hpp"
#include "sparkplug/payload_codec.hpp"
#include "sparkplug/wire_scan.hpp"
#include "sparkplug_b.pb.h"

namespace floe::sparkplug {

namespace pb = ::org::eclipse::tahu::protobuf;

namespace {

// Payloads at least this large are walked by scan_payload_wire() before libprotobuf parses
// them, so that limit violations are rejected before libprotobuf allocates the structure
// (an empty Metric costs 2 bytes on the wire but over 100 bytes parsed). Smaller payloads
// cannot amplify into much memory and skip the walk (bytes).
constexpr size_t prescan_min_bytes = 64 * 1024;

// First arena block, on the stack: a typical DATA message parses without touching the heap
// for protobuf objects (bytes).
constexpr size_t arena_initial_block_bytes = 8 * 1024;

// ---- errors ----

floe::unexpected<error> within(const error& e, const std::string& where) {
  return fail(e.code, where + ": " + e.detail);
}

std::string shortened(const std::string& s) {
  constexpr size_t max_shown = 48;
  return s.size() <= max_shown ? s : s.substr(0, max_shown) + "...";
}

std::string metric_place(size_t index, const pb::Payload_Metric& m) {
  std::string out = "metrics[" + std::to_string(index) + "]";
  if (m.has_name())
    out += " '" + shortened(m.name()) + "'";
  else if (m.has_alias())
    out += " alias " + std::to_string(m.alias());
  return out;
}

// Wire field that produced a raw alternative, for value_mismatch details.
template <class T>
const char* raw_field_name() noexcept {
  if constexpr (std::is_same_v<T, uint64_t>)
    return "int_value/long_value";
  else if constexpr (std::is_same_v<T, float>)
    return "float_value";
  else if constexpr (std::is_same_v<T, double>)
    return "double_value";
  else if constexpr (std::is_same_v<T, bool>)
    return "boolean_value";
  else if constexpr (std::is_same_v<T, std::string>)
    return "string_value";
  else if constexpr (std::is_same_v<T, bytes>)
    return "bytes_value";
  else if constexpr (std::is_same_v<T, dataset>)
    return "dataset_value";
  else if constexpr (std::is_same_v<T, template_value>)
    return "template_value";
  else if constexpr (std::is_same_v<T, property_set>)
    return "propertyset_value";
  else if constexpr (std::is_same_v<T, std::vector<property_set>>)
    return "propertysets_value";
  else
    return alternative_name<T>();
}

template <class Variant>
floe::unexpected<error> mismatch(datatype t, const Variant& v) {
  const char* field = std::visit(
    [](const auto& x) { return raw_field_name<std::decay_t<decltype(x)>>(); }, v);
  return fail(errc::value_mismatch,
              std::string("datatype ") + to_string(t) + " does not match a value in " + field);
}

// ---- typing raw values ----

// Types a raw basic value in place. `Variant` is any of the value variants (metric value,
// scalar, property value): they share the basic alternatives. Unchanged on error.
template <class Variant>
result<void> type_basic(Variant& v, datatype t) {
  if (t == datatype::unknown || std::holds_alternative<std::monostate>(v))
    return {};
  if (const auto* u = std::get_if<uint64_t>(&v)) {
    const uint64_t raw = *u;
    switch (t) {
      case datatype::int8:
        v = int64_t{static_cast<int8_t>(static_cast<uint8_t>(raw))};
        return {};
      case datatype::int16:
        v = int64_t{static_cast<int16_t>(static_cast<uint16_t>(raw))};
        return {};
      case datatype::int32:
        v = int64_t{static_cast<int32_t>(static_cast<uint32_t>(raw))};
        return {};
      case datatype::int64:
        v = static_cast<int64_t>(raw);
        return {};
      case datatype::uint8:
        v = raw & 0xFFu;
        return {};
      case datatype::uint16:
        v = raw & 0xFFFFu;
        return {};
      case datatype::uint32:
        v = raw & 0xFFFF'FFFFu;
        return {};
      case datatype::uint64:
      case datatype::datetime:
        return {};
      default:
        break;
    }
  } else if (std::holds_alternative<float>(v)) {
    if (t == datatype::float32)
      return {};
  } else if (std::holds_alternative<double>(v)) {
    if (t == datatype::float64)
      return {};
  } else if (std::holds_alternative<bool>(v)) {
    if (t == datatype::boolean)
      return {};
  } else if (std::holds_alternative<std::string>(v)) {
    if (t == datatype::string || t == datatype::text || t == datatype::uuid)
      return {};
  }
  return mismatch(t, v);
}

// Types a raw metric value in place; unchanged on error.
result<void> type_metric_value(value& v, datatype t, size_t max_elements) {
  if (t == datatype::unknown || std::holds_alternative<std::monostate>(v))
    return {};
  if (is_basic(t) || t == datatype::uuid)
    return type_basic(v, t);
  switch (t) {
    case datatype::bytes:
    case datatype::file:
      if (std::holds_alternative<bytes>(v))
        return {};
      break;
    case datatype::dataset:
      if (std::holds_alternative<dataset>(v))
        return {};
      break;
    case datatype::template_type:
      if (std::holds_alternative<template_value>(v))
        return {};
      break;
    case datatype::property_set:
    case datatype::property_set_list:
      return fail(errc::invalid_datatype,
                  std::string(to_string(t)) + " is a property datatype, not a metric datatype");
    default:
      if (is_array(t)) {
        if (const auto* packed = std::get_if<bytes>(&v)) {
          value typed;
          if (auto r = unpack_array(packed->data(), packed->size(), t, typed, max_elements); !r)
            return r;
          v = std::move(typed);
          return {};
        }
      }
      break;
  }
  return mismatch(t, v);
}

// ---- protobuf message -> model ----

// libprotobuf keeps a known field that arrived with the wrong wire type as an unknown field.
// Every message here numbers its fields 1..highest_known, so an unknown field in that range is
// such a field; higher numbers are extensions or newer fields and are skipped.
template <class Message>
result<void> check_wire_types(const Message& m, int highest_known) {
  const auto& unknown = m.unknown_fields();
  if (unknown.empty())
    return {};
  for (int i = 0; i < unknown.field_count(); ++i) {
    int number = unknown.field(i).number();
    if (number >= 1 && number <= highest_known) {
      const auto* field = Message::descriptor()->FindFieldByNumber(number);
      return fail(errc::payload_malformed,
                  Message::descriptor()->name() + " field " + std::to_string(number) + " ("
                    + (field != nullptr ? field->name() : std::string("?"))
                    + ") has the wrong wire type");
    }
  }
  return {};
}

class payload_decoder {
public:
  explicit payload_decoder(const decode_limits& limits) : limits_(limits) {
  }

  result<void> payload(const pb::Payload& in, sparkplug::payload& out) {
    if (auto r = check_wire_types(in, 5); !r)
      return r;
    if (in.has_timestamp())
      out.timestamp = in.timestamp();
    if (in.has_seq())
      out.seq = in.seq();
    if (in.has_uuid())
      if (auto r = text(in.uuid(), out.uuid.emplace(), "uuid"); !r)
        return r;
    if (in.has_body()) {
      if (auto r = check_length(in.body().size(), "body"); !r)
        return r;
      out.body.emplace(in.body().begin(), in.body().end());
    }
    if (auto r = metrics(in.metrics(), out.metrics, 0); !r)
      return r;
    return {};
  }

private:
  result<void> check_length(size_t size, const char* what) const {
    if (size > limits_.max_string_bytes)
      return fail(errc::limit_exceeded, std::string(what) + ": " + std::to_string(size)
                                          + " bytes exceed max_string_bytes "
                                          + std::to_string(limits_.max_string_bytes));
    return {};
  }

  result<void> text(const std::string& in, std::string& out, const char* what) const {
    if (auto r = check_length(in.size(), what); !r)
      return r;
    out = in;
    return {};
  }

  result<void> enter_level(size_t level) const {
    if (level > limits_.max_depth)
      return fail(errc::limit_exceeded, "templates and property sets nested deeper than "
                                        "max_depth "
                                          + std::to_string(limits_.max_depth));
    return {};
  }

  result<void> count_elements(size_t n, const char* what) const {
    if (n > limits_.max_elements)
      return fail(errc::limit_exceeded, std::string(what) + ": " + std::to_string(n)
                                          + " entries exceed max_elements "
                                          + std::to_string(limits_.max_elements));
    return {};
  }

  template <class RepeatedMetrics>
  result<void> metrics(const RepeatedMetrics& in, std::vector<sparkplug::metric>& out,
                       size_t level) {
    size_t n = static_cast<size_t>(in.size());
    if (n > limits_.max_metrics || metrics_ + n > limits_.max_metrics)
      return fail(errc::limit_exceeded, "more than max_metrics "
                                          + std::to_string(limits_.max_metrics) + " metrics");
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const auto& m = in.Get(static_cast<int>(i));
      if (auto r = metric(m, out.emplace_back(), level); !r)
        return within(r.error(), metric_place(i, m));
    }
    return {};
  }

  // `level`: templates enclosing this metric (0 at the top level).
  result<void> metric(const pb::Payload_Metric& in, sparkplug::metric& out, size_t level) {
    if (++metrics_ > limits_.max_metrics)
      return fail(errc::limit_exceeded, "more than max_metrics "
                                          + std::to_string(limits_.max_metrics) + " metrics");
    if (auto r = check_wire_types(in, 19); !r)
      return r;
    if (in.has_name())
      if (auto r = text(in.name(), out.name.emplace(), "name"); !r)
        return r;
    if (in.has_alias())
      out.alias = in.alias();
    if (in.has_timestamp())
      out.timestamp = in.timestamp();
    out.datatype_on_wire = in.has_datatype();
    if (in.has_datatype()) {
      uint32_t raw = in.datatype();
      if (!is_valid_datatype(raw))
        return fail(errc::invalid_datatype,
                    "datatype " + std::to_string(raw) + " is not a Sparkplug DataType (0..34)");
      auto t = static_cast<datatype>(raw);
      if (t == datatype::property_set || t == datatype::property_set_list)
        return fail(errc::invalid_datatype, std::string(to_string(t))
                                              + " is a property datatype, not a metric datatype");
      out.type = t;
    }
    out.is_historical = in.is_historical();
    out.is_transient = in.is_transient();
    out.is_null = in.is_null();
    if (in.has_metadata())
      if (auto r = metadata(in.metadata(), out.meta.emplace()); !r)
        return within(r.error(), "metadata");
    if (in.has_properties())
      if (auto r = property_set(in.properties(), out.properties.emplace(), level + 1); !r)
        return within(r.error(), "properties");
    if (out.is_null)
      return {};

    using M = pb::Payload_Metric;
    switch (in.value_case()) {
      case M::kIntValue:
        out.val = uint64_t{in.int_value()};
        break;
      case M::kLongValue:
        out.val = uint64_t{in.long_value()};
        break;
      case M::kFloatValue:
        out.val = in.float_value();
        break;
      case M::kDoubleValue:
        out.val = in.double_value();
        break;
      case M::kBooleanValue:
        out.val = in.boolean_value();
        break;
      case M::kStringValue:
        if (auto r = text(in.string_value(), out.val.emplace<std::string>(), "string_value"); !r)
          return r;
        break;
      case M::kBytesValue: {
        const auto& packed = in.bytes_value();
        if (auto r = check_length(packed.size(), "bytes_value"); !r)
          return r;
        const auto* data = reinterpret_cast<const uint8_t*>(packed.data());
        if (is_array(out.type)) // unpack straight from the wire bytes
          return unpack_array(data, packed.size(), out.type, out.val, limits_.max_elements);
        out.val.emplace<bytes>(data, data + packed.size());
        break;
      }
      case M::kDatasetValue:
        if (auto r = dataset(in.dataset_value(), out.val.emplace<sparkplug::dataset>()); !r)
          return within(r.error(), "dataset_value");
        break;
      case M::kTemplateValue:
        if (auto r = template_value(in.template_value(),
                                    out.val.emplace<sparkplug::template_value>(), level + 1);
            !r)
          return within(r.error(), "template_value");
        break;
      case M::kExtensionValue:
      case M::VALUE_NOT_SET:
        break;
    }
    return type_metric_value(out.val, out.type, limits_.max_elements);
  }

  result<void> metadata(const pb::Payload_MetaData& in, sparkplug::metadata& out) {
    if (auto r = check_wire_types(in, 8); !r)
      return r;
    if (in.has_is_multi_part())
      out.is_multi_part = in.is_multi_part();
    if (in.has_content_type())
      if (auto r = text(in.content_type(), out.content_type.emplace(), "content_type"); !r)
        return r;
    if (in.has_size())
      out.size = in.size();
    if (in.has_seq())
      out.seq = in.seq();
    if (in.has_file_name())
      if (auto r = text(in.file_name(), out.file_name.emplace(), "file_name"); !r)
        return r;
    if (in.has_file_type())
      if (auto r = text(in.file_type(), out.file_type.emplace(), "file_type"); !r)
        return r;
    if (in.has_md5())
      if (auto r = text(in.md5(), out.md5.emplace(), "md5"); !r)
        return r;
    if (in.has_description())
      if (auto r = text(in.description(), out.description.emplace(), "description"); !r)
        return r;
    return {};
  }

  // Reads the scalar oneof members shared by DataSetValue, Template.Parameter and
  // PropertyValue as raw alternatives. Extension values and absent values leave `out` null.
  template <class Message, class Variant>
  result<void> raw_scalar(const Message& in, Variant& out) {
    switch (in.value_case()) {
      case Message::kIntValue:
        out = uint64_t{in.int_value()};
        break;
      case Message::kLongValue:
        out = uint64_t{in.long_value()};
        break;
      case Message::kFloatValue:
        out = in.float_value();
        break;
      case Message::kDoubleValue:
        out = in.double_value();
        break;
      case Message::kBooleanValue:
        out = in.boolean_value();
        break;
      case Message::kStringValue:
        return text(in.string_value(), out.template emplace<std::string>(), "string_value");
      default:
        break;
    }
    return {};
  }

  result<void> dataset(const pb::Payload_DataSet& in, sparkplug::dataset& out) {
    if (auto r = check_wire_types(in, 4); !r)
      return r;
    size_t columns = static_cast<size_t>(in.columns_size());
    if (static_cast<size_t>(in.types_size()) != columns)
      return fail(errc::dataset_malformed, std::to_string(columns) + " columns but "
                                             + std::to_string(in.types_size()) + " types");
    if (in.has_num_of_columns() && in.num_of_columns() != columns)
      return fail(errc::dataset_malformed,
                  "num_of_columns " + std::to_string(in.num_of_columns()) + " but "
                    + std::to_string(columns) + " column names");
    if (auto r = count_elements(columns, "columns"); !r)
      return r;
    out.columns.resize(columns);
    out.types.resize(columns);
    for (size_t c = 0; c < columns; ++c) {
      if (auto r = text(in.columns(static_cast<int>(c)), out.columns[c], "column name"); !r)
        return r;
      uint32_t raw = in.types(static_cast<int>(c));
      if (!is_valid_datatype(raw) || !is_basic(static_cast<datatype>(raw)))
        return fail(errc::invalid_datatype, "column " + std::to_string(c) + " type "
                                              + std::to_string(raw) + " is not a basic type");
      out.types[c] = static_cast<datatype>(raw);
    }
    size_t rows = static_cast<size_t>(in.rows_size());
    if (rows > limits_.max_elements || (columns > 0 && rows > limits_.max_elements / columns))
      return fail(errc::limit_exceeded, std::to_string(rows) + " rows of "
                                          + std::to_string(columns)
                                          + " columns exceed max_elements "
                                          + std::to_string(limits_.max_elements));
    out.rows.resize(rows);
    for (size_t r = 0; r < rows; ++r) {
      const auto& row = in.rows(static_cast<int>(r));
      if (auto res = check_wire_types(row, 1); !res)
        return within(res.error(), "row " + std::to_string(r));
      if (static_cast<size_t>(row.elements_size()) != columns)
        return fail(errc::dataset_malformed, "row " + std::to_string(r) + " has "
                                               + std::to_string(row.elements_size())
                                               + " cells, expected " + std::to_string(columns));
      auto& cells = out.rows[r];
      cells.resize(columns);
      for (size_t c = 0; c < columns; ++c) {
        const auto& cell = row.elements(static_cast<int>(c));
        auto res = check_wire_types(cell, 7);
        if (res)
          res = raw_scalar(cell, cells[c]);
        if (res)
          res = type_basic(cells[c], out.types[c]);
        if (!res)
          return within(res.error(), "row " + std::to_string(r) + " column " + std::to_string(c));
      }
    }
    return {};
  }

  // `level`: nesting level of this template (1 for a top-level metric's value).
  result<void> template_value(const pb::Payload_Template& in, sparkplug::template_value& out,
                              size_t level) {
    if (auto r = enter_level(level); !r)
      return r;
    if (auto r = check_wire_types(in, 5); !r)
      return r;
    if (in.has_version())
      if (auto r = text(in.version(), out.version.emplace(), "version"); !r)
        return r;
    if (in.has_template_ref())
      if (auto r = text(in.template_ref(), out.template_ref.emplace(), "template_ref"); !r)
        return r;
    if (in.has_is_definition())
      out.is_definition = in.is_definition();
    if (auto r = metrics(in.metrics(), out.metrics, level); !r)
      return r;
    size_t n = static_cast<size_t>(in.parameters_size());
    if (auto r = count_elements(n, "parameters"); !r)
      return r;
    out.parameters.resize(n);
    for (size_t i = 0; i < n; ++i)
      if (auto r = parameter(in.parameters(static_cast<int>(i)), out.parameters[i]); !r)
        return within(r.error(), "parameters[" + std::to_string(i) + "]");
    return {};
  }

  result<void> parameter(const pb::Payload_Template_Parameter& in, template_parameter& out) {
    if (auto r = check_wire_types(in, 9); !r)
      return r;
    if (in.has_name())
      if (auto r = text(in.name(), out.name.emplace(), "name"); !r)
        return r;
    if (in.has_type()) {
      uint32_t raw = in.type();
      if (!is_valid_datatype(raw) || !is_basic(static_cast<datatype>(raw)))
        return fail(errc::invalid_datatype,
                    "parameter type " + std::to_string(raw) + " is not a basic type");
      out.type = static_cast<datatype>(raw);
    }
    if (auto r = raw_scalar(in, out.value); !r)
      return r;
    return type_basic(out.value, out.type);
  }

  // `level`: nesting level of this set (1 for a top-level metric's properties).
  result<void> property_set(const pb::Payload_PropertySet& in, sparkplug::property_set& out,
                            size_t level) {
    if (auto r = enter_level(level); !r)
      return r;
    if (auto r = check_wire_types(in, 2); !r)
      return r;
    if (in.keys_size() != in.values_size())
      return fail(errc::property_set_malformed, std::to_string(in.keys_size()) + " keys but "
                                                  + std::to_string(in.values_size())
                                                  + " values");
    size_t n = static_cast<size_t>(in.keys_size());
    if (auto r = count_elements(n, "property set"); !r)
      return r;
    out.keys.resize(n);
    out.values.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (auto r = text(in.keys(static_cast<int>(i)), out.keys[i], "key"); !r)
        return r;
      if (auto r = property_value(in.values(static_cast<int>(i)), out.values[i], level); !r)
        return within(r.error(), "'" + shortened(out.keys[i]) + "'");
    }
    return {};
  }

  result<void> property_value(const pb::Payload_PropertyValue& in,
                              sparkplug::property_value& out, size_t level) {
    if (auto r = check_wire_types(in, 11); !r)
      return r;
    if (in.has_type()) {
      uint32_t raw = in.type();
      auto t = static_cast<datatype>(raw);
      if (!is_valid_datatype(raw)
          || !(is_basic(t) || t == datatype::property_set || t == datatype::property_set_list))
        return fail(errc::invalid_datatype, "property type " + std::to_string(raw)
                                              + " is neither basic nor PropertySet(List)");
      out.type = t;
    }
    if (in.is_null())
      return {};
    using P = pb::Payload_PropertyValue;
    switch (in.value_case()) {
      case P::kPropertysetValue:
        if (auto r = property_set(in.propertyset_value(),
                                  out.value.emplace<sparkplug::property_set>(), level + 1);
            !r)
          return r;
        break;
      case P::kPropertysetsValue: {
        const auto& list = in.propertysets_value();
        if (auto r = check_wire_types(list, 1); !r)
          return r;
        size_t n = static_cast<size_t>(list.propertyset_size());
        if (auto r = count_elements(n, "property set list"); !r)
          return r;
        auto& sets = out.value.emplace<std::vector<sparkplug::property_set>>(n);
        for (size_t i = 0; i < n; ++i)
          if (auto r = property_set(list.propertyset(static_cast<int>(i)), sets[i], level + 1);
              !r)
            return within(r.error(), "[" + std::to_string(i) + "]");
        break;
      }
      default:
        if (auto r = raw_scalar(in, out.value); !r)
          return r;
        break;
    }
    switch (out.type) {
      case datatype::property_set:
        if (std::holds_alternative<std::monostate>(out.value)
            || std::holds_alternative<sparkplug::property_set>(out.value))
          return {};
        return mismatch(out.type, out.value);
      case datatype::property_set_list:
        if (std::holds_alternative<std::monostate>(out.value)
            || std::holds_alternative<std::vector<sparkplug::property_set>>(out.value))
          return {};
        return mismatch(out.type, out.value);
      default:
        return type_basic(out.value, out.type);
    }
  }

  const decode_limits& limits_;
  size_t metrics_ = 0; // metrics decoded so far, template members included
};

} // namespace

result<payload> decode_payload(const void* data, size_t size, const decode_limits& limits) {
  if (size > limits.max_payload_bytes)
    return fail(errc::payload_too_large, std::to_string(size) + " bytes exceed max_payload_bytes "
                                           + std::to_string(limits.max_payload_bytes));
  if (size > static_cast<size_t>(INT_MAX))
    return fail(errc::payload_too_large,
                std::to_string(size) + " bytes exceed the protobuf parser's 2 GiB limit");
  const auto* wire = static_cast<const uint8_t*>(data);
  bool scanned = false;
  if (size >= prescan_min_bytes) {
    if (auto r = scan_payload_wire(wire, size, limits); !r)
      return fail(r.error().code, r.error().detail);
    scanned = true;
  }

  alignas(std::max_align_t) char initial_block[arena_initial_block_bytes];
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = initial_block;
  arena_options.initial_block_size = sizeof initial_block;
  google::protobuf::Arena arena{arena_options};
  auto* message = google::protobuf::Arena::CreateMessage<pb::Payload>(&arena);
  if (!message->ParsePartialFromArray(data, static_cast<int>(size))) {
    if (!scanned)
      if (auto r = scan_payload_wire(wire, size, limits); !r)
        return fail(r.error().code, r.error().detail);
    return fail(errc::payload_malformed, "rejected by the protobuf parser");
  }

  payload out;
  payload_decoder decoder{limits};
  if (auto r = decoder.payload(*message, out); !r)
    return fail(r.error().code, r.error().detail);
  return out;
}

result<void> resolve_datatype(metric& m, datatype t) {
  auto raw = static_cast<uint32_t>(t);
  if (!is_valid_datatype(raw))
    return fail(errc::invalid_datatype,
                "datatype " + std::to_string(raw) + " is not a Sparkplug DataType (0..34)");
  if (t == datatype::property_set || t == datatype::property_set_list)
    return fail(errc::invalid_datatype,
                std::string(to_string(t)) + " is a property datatype, not a metric datatype");
  if (m.type == t)
    return {};
  if (m.type != datatype::unknown)
    return fail(errc::value_mismatch, std::string("metric already has datatype ")
                                        + to_string(m.type) + ", not " + to_string(t));
  // Bounded by the decode limits the raw bytes already passed.
  if (auto r = type_metric_value(m.val, t, SIZE_MAX); !r)
    return r;
  m.type = t;
  return {};
}

} // namespace floe::sparkplug
