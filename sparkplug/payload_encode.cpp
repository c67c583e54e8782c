// Payload encoding: floe::sparkplug::payload -> protobuf wire form.
//
// The value alternative must be the one types.hpp assigns to the datatype, and integers must
// fit the datatype's width; anything else is value_mismatch, never a silent conversion.
// Wire choices: Int8/Int16/Int32 go sign-extended to 32 bits into int_value (Int8 -1 ->
// 4294967295, as Eclipse Tahu does); UInt32 goes into long_value unless
// encode_options::uint32_in_long_value is false. Metrics of unknown datatype carry their raw
// wire value: an integer that fits 32 bits goes into int_value, a larger one into long_value.
// Flags (is_historical, is_transient, is_null) are written only when true.

#include <google/protobuf/arena.h>

#include <climits>

#include "sparkplug/array_codec.hpp"
#include "sparkplug/payload_codec.hpp"
#include "sparkplug_b.pb.h"

namespace floe::sparkplug {

namespace pb = ::org::eclipse::tahu::protobuf;

namespace {

// First arena block, on the stack (bytes); see payload_decode.cpp.
constexpr size_t arena_initial_block_bytes = 8 * 1024;

floe::unexpected<error> within(const error& e, const std::string& where) {
  return fail(e.code, where + ": " + e.detail);
}

std::string metric_place(size_t index, const metric& m) {
  constexpr size_t max_shown = 48;
  std::string out = "metrics[" + std::to_string(index) + "]";
  if (m.name)
    out += " '" + (m.name->size() <= max_shown ? *m.name : m.name->substr(0, max_shown) + "...")
           + "'";
  else if (m.alias)
    out += " alias " + std::to_string(*m.alias);
  return out;
}

template <class Variant>
floe::unexpected<error> needs(datatype t, const char* needed, const Variant& v) {
  return fail(errc::value_mismatch, std::string("datatype ") + to_string(t) + " needs " + needed
                                      + ", the value holds " + held_alternative_name(v));
}

floe::unexpected<error> out_of_range(datatype t, const std::string& shown) {
  return fail(errc::value_mismatch,
              std::string(to_string(t)) + " value " + shown + " is out of range");
}

// Writes a basic (or UUID) value into the scalar oneof shared by Metric, DataSetValue,
// Template.Parameter and PropertyValue. std::monostate writes nothing.
template <class Message, class Variant>
result<void> put_basic(const Variant& v, datatype t, Message& out, const encode_options& opt) {
  if (std::holds_alternative<std::monostate>(v))
    return {};
  switch (t) {
    case datatype::unknown:
      // Untyped: the raw wire alternatives only.
      if (const auto* u = std::get_if<uint64_t>(&v)) {
        if (*u <= UINT32_MAX)
          out.set_int_value(static_cast<uint32_t>(*u));
        else
          out.set_long_value(*u);
      } else if (const auto* f = std::get_if<float>(&v)) {
        out.set_float_value(*f);
      } else if (const auto* d = std::get_if<double>(&v)) {
        out.set_double_value(*d);
      } else if (const auto* b = std::get_if<bool>(&v)) {
        out.set_boolean_value(*b);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        out.set_string_value(*s);
      } else {
        return needs(t, "a raw wire alternative (uint64_t, float, double, bool, string)", v);
      }
      return {};
    case datatype::int8:
    case datatype::int16:
    case datatype::int32: {
      const auto* x = std::get_if<int64_t>(&v);
      if (x == nullptr)
        return needs(t, "int64_t", v);
      int64_t bits = t == datatype::int8 ? 8 : t == datatype::int16 ? 16 : 32;
      int64_t lo = -(int64_t{1} << (bits - 1));
      int64_t hi = (int64_t{1} << (bits - 1)) - 1;
      if (*x < lo || *x > hi)
        return out_of_range(t, std::to_string(*x));
      out.set_int_value(static_cast<uint32_t>(static_cast<int32_t>(*x)));
      return {};
    }
    case datatype::int64: {
      const auto* x = std::get_if<int64_t>(&v);
      if (x == nullptr)
        return needs(t, "int64_t", v);
      out.set_long_value(static_cast<uint64_t>(*x));
      return {};
    }
    case datatype::uint8:
    case datatype::uint16:
    case datatype::uint32: {
      const auto* x = std::get_if<uint64_t>(&v);
      if (x == nullptr)
        return needs(t, "uint64_t", v);
      uint64_t hi = t == datatype::uint8 ? 0xFFu : t == datatype::uint16 ? 0xFFFFu : 0xFFFF'FFFFu;
      if (*x > hi)
        return out_of_range(t, std::to_string(*x));
      if (t == datatype::uint32 && opt.uint32_in_long_value)
        out.set_long_value(*x);
      else
        out.set_int_value(static_cast<uint32_t>(*x));
      return {};
    }
    case datatype::uint64:
    case datatype::datetime: {
      const auto* x = std::get_if<uint64_t>(&v);
      if (x == nullptr)
        return needs(t, "uint64_t", v);
      out.set_long_value(*x);
      return {};
    }
    case datatype::float32: {
      const auto* x = std::get_if<float>(&v);
      if (x == nullptr)
        return needs(t, "float", v);
      out.set_float_value(*x);
      return {};
    }
    case datatype::float64: {
      const auto* x = std::get_if<double>(&v);
      if (x == nullptr)
        return needs(t, "double", v);
      out.set_double_value(*x);
      return {};
    }
    case datatype::boolean: {
      const auto* x = std::get_if<bool>(&v);
      if (x == nullptr)
        return needs(t, "bool", v);
      out.set_boolean_value(*x);
      return {};
    }
    case datatype::string:
    case datatype::text:
    case datatype::uuid: {
      const auto* x = std::get_if<std::string>(&v);
      if (x == nullptr)
        return needs(t, "string", v);
      out.set_string_value(*x);
      return {};
    }
    default:
      return fail(errc::invalid_datatype, std::string(to_string(t)) + " is not a basic type");
  }
}

result<void> check_datatype(datatype t, bool (*allowed)(datatype), const char* place) {
  auto raw = static_cast<uint32_t>(t);
  if (!is_valid_datatype(raw) || !allowed(t))
    return fail(errc::invalid_datatype,
                std::string(place) + " datatype " + std::to_string(raw) + " is not allowed");
  return {};
}

bool metric_datatype(datatype t) {
  return t != datatype::property_set && t != datatype::property_set_list;
}
bool basic_datatype(datatype t) {
  return is_basic(t);
}
bool property_datatype(datatype t) {
  return is_basic(t) || t == datatype::property_set || t == datatype::property_set_list;
}

class payload_encoder {
public:
  explicit payload_encoder(const encode_options& options) : options_(options) {
  }

  result<void> payload(const sparkplug::payload& in, pb::Payload& out) {
    if (in.timestamp)
      out.set_timestamp(*in.timestamp);
    if (in.seq)
      out.set_seq(*in.seq);
    if (in.uuid)
      out.set_uuid(*in.uuid);
    if (in.body)
      out.set_body(std::string(in.body->begin(), in.body->end()));
    return metrics(in.metrics, *out.mutable_metrics());
  }

private:
  template <class RepeatedMetrics>
  result<void> metrics(const std::vector<sparkplug::metric>& in, RepeatedMetrics& out) {
    out.Reserve(static_cast<int>(in.size()));
    for (size_t i = 0; i < in.size(); ++i)
      if (auto r = metric(in[i], *out.Add()); !r)
        return within(r.error(), metric_place(i, in[i]));
    return {};
  }

  result<void> metric(const sparkplug::metric& in, pb::Payload_Metric& out) {
    if (auto r = check_datatype(in.type, metric_datatype, "metric"); !r)
      return r;
    if (in.name)
      out.set_name(*in.name);
    if (in.alias)
      out.set_alias(*in.alias);
    if (in.timestamp)
      out.set_timestamp(*in.timestamp);
    if (in.datatype_on_wire)
      out.set_datatype(static_cast<uint32_t>(in.type));
    if (in.is_historical)
      out.set_is_historical(true);
    if (in.is_transient)
      out.set_is_transient(true);
    if (in.meta)
      metadata(*in.meta, *out.mutable_metadata());
    if (in.properties)
      if (auto r = property_set(*in.properties, *out.mutable_properties()); !r)
        return within(r.error(), "properties");
    if (in.is_null) {
      if (!std::holds_alternative<std::monostate>(in.val))
        return fail(errc::value_mismatch, std::string("is_null is set but the value holds ")
                                            + held_alternative_name(in.val));
      out.set_is_null(true);
      return {};
    }
    return metric_value(in.val, in.type, out);
  }

  result<void> metric_value(const value& v, datatype t, pb::Payload_Metric& out) {
    if (std::holds_alternative<std::monostate>(v))
      return {};
    const auto* raw_bytes = std::get_if<bytes>(&v);
    const auto* set = std::get_if<sparkplug::dataset>(&v);
    const auto* tmpl = std::get_if<sparkplug::template_value>(&v);
    switch (t) {
      case datatype::unknown:
        if (raw_bytes != nullptr)
          break;
        if (set != nullptr)
          return dataset(*set, *out.mutable_dataset_value());
        if (tmpl != nullptr)
          return template_value(*tmpl, *out.mutable_template_value());
        return put_basic(v, t, out, options_);
      case datatype::bytes:
      case datatype::file:
        if (raw_bytes == nullptr)
          return needs(t, "bytes", v);
        break;
      case datatype::dataset:
        if (set == nullptr)
          return needs(t, "dataset", v);
        if (auto r = dataset(*set, *out.mutable_dataset_value()); !r)
          return within(r.error(), "dataset");
        return {};
      case datatype::template_type:
        if (tmpl == nullptr)
          return needs(t, "template_value", v);
        if (auto r = template_value(*tmpl, *out.mutable_template_value()); !r)
          return within(r.error(), "template");
        return {};
      default:
        if (is_array(t))
          return pack_array(v, t, *out.mutable_bytes_value());
        return put_basic(v, t, out, options_);
    }
    out.set_bytes_value(std::string(raw_bytes->begin(), raw_bytes->end()));
    return {};
  }

  void metadata(const sparkplug::metadata& in, pb::Payload_MetaData& out) {
    if (in.is_multi_part)
      out.set_is_multi_part(*in.is_multi_part);
    if (in.content_type)
      out.set_content_type(*in.content_type);
    if (in.size)
      out.set_size(*in.size);
    if (in.seq)
      out.set_seq(*in.seq);
    if (in.file_name)
      out.set_file_name(*in.file_name);
    if (in.file_type)
      out.set_file_type(*in.file_type);
    if (in.md5)
      out.set_md5(*in.md5);
    if (in.description)
      out.set_description(*in.description);
  }

  result<void> dataset(const sparkplug::dataset& in, pb::Payload_DataSet& out) {
    size_t columns = in.columns.size();
    if (in.types.size() != columns)
      return fail(errc::dataset_malformed, std::to_string(columns) + " columns but "
                                             + std::to_string(in.types.size()) + " types");
    out.set_num_of_columns(columns);
    for (size_t c = 0; c < columns; ++c) {
      if (auto r = check_datatype(in.types[c], basic_datatype, "column"); !r)
        return within(r.error(), "column " + std::to_string(c));
      out.add_columns(in.columns[c]);
      out.add_types(static_cast<uint32_t>(in.types[c]));
    }
    out.mutable_rows()->Reserve(static_cast<int>(in.rows.size()));
    for (size_t r = 0; r < in.rows.size(); ++r) {
      const auto& cells = in.rows[r];
      if (cells.size() != columns)
        return fail(errc::dataset_malformed, "row " + std::to_string(r) + " has "
                                               + std::to_string(cells.size())
                                               + " cells, expected " + std::to_string(columns));
      auto* row = out.add_rows();
      row->mutable_elements()->Reserve(static_cast<int>(columns));
      for (size_t c = 0; c < columns; ++c)
        if (auto res = put_basic(cells[c], in.types[c], *row->add_elements(), options_); !res)
          return within(res.error(), "row " + std::to_string(r) + " column " + std::to_string(c));
    }
    return {};
  }

  result<void> template_value(const sparkplug::template_value& in, pb::Payload_Template& out) {
    if (in.version)
      out.set_version(*in.version);
    if (in.template_ref)
      out.set_template_ref(*in.template_ref);
    if (in.is_definition)
      out.set_is_definition(*in.is_definition);
    if (auto r = metrics(in.metrics, *out.mutable_metrics()); !r)
      return r;
    for (size_t i = 0; i < in.parameters.size(); ++i) {
      const auto& p = in.parameters[i];
      auto* param = out.add_parameters();
      auto r = check_datatype(p.type, basic_datatype, "parameter");
      if (r) {
        if (p.name)
          param->set_name(*p.name);
        param->set_type(static_cast<uint32_t>(p.type));
        r = put_basic(p.value, p.type, *param, options_);
      }
      if (!r)
        return within(r.error(), "parameters[" + std::to_string(i) + "]");
    }
    return {};
  }

  result<void> property_set(const sparkplug::property_set& in, pb::Payload_PropertySet& out) {
    if (in.keys.size() != in.values.size())
      return fail(errc::property_set_malformed, std::to_string(in.keys.size()) + " keys but "
                                                  + std::to_string(in.values.size())
                                                  + " values");
    for (size_t i = 0; i < in.keys.size(); ++i) {
      out.add_keys(in.keys[i]);
      if (auto r = property_value(in.values[i], *out.add_values()); !r)
        return within(r.error(), "'" + in.keys[i].substr(0, 48) + "'");
    }
    return {};
  }

  result<void> property_value(const sparkplug::property_value& in,
                              pb::Payload_PropertyValue& out) {
    if (auto r = check_datatype(in.type, property_datatype, "property"); !r)
      return r;
    out.set_type(static_cast<uint32_t>(in.type));
    if (std::holds_alternative<std::monostate>(in.value)) {
      out.set_is_null(true);
      return {};
    }
    const auto* set = std::get_if<sparkplug::property_set>(&in.value);
    const auto* list = std::get_if<std::vector<sparkplug::property_set>>(&in.value);
    bool untyped = in.type == datatype::unknown;
    if (in.type == datatype::property_set || (untyped && set != nullptr)) {
      if (set == nullptr)
        return needs(in.type, "property_set", in.value);
      return property_set(*set, *out.mutable_propertyset_value());
    }
    if (in.type == datatype::property_set_list || (untyped && list != nullptr)) {
      if (list == nullptr)
        return needs(in.type, "vector<property_set>", in.value);
      auto& sets = *out.mutable_propertysets_value();
      for (size_t i = 0; i < list->size(); ++i)
        if (auto r = property_set((*list)[i], *sets.add_propertyset()); !r)
          return within(r.error(), "[" + std::to_string(i) + "]");
      return {};
    }
    return put_basic(in.value, in.type, out, options_);
  }

  const encode_options& options_;
};

} // namespace

result<void> encode_payload(const payload& p, std::string& out, const encode_options& options) {
  out.clear();
  alignas(std::max_align_t) char initial_block[arena_initial_block_bytes];
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = initial_block;
  arena_options.initial_block_size = sizeof initial_block;
  google::protobuf::Arena arena{arena_options};
  auto* message = google::protobuf::Arena::CreateMessage<pb::Payload>(&arena);
  payload_encoder encoder{options};
  if (auto r = encoder.payload(p, *message); !r)
    return r;
  size_t size = message->ByteSizeLong(); // also caches the nested sizes for serialising
  if (size > static_cast<size_t>(INT_MAX))
    return fail(errc::limit_exceeded, "encoded payload exceeds protobuf's 2 GiB limit");
  out.resize(size);
  message->SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out.data()));
  return {};
}

result<void> encode_payload(const payload& p, std::string& out) {
  return encode_payload(p, out, encode_options{});
}

result<std::string> encode_payload(const payload& p) {
  std::string out;
  if (auto r = encode_payload(p, out); !r)
    return fail(r.error().code, r.error().detail);
  return out;
}

} // namespace floe::sparkplug
