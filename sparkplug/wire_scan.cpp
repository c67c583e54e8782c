#include "sparkplug/wire_scan.hpp"

#include <limits>
#include <string>

namespace floe::sparkplug {

namespace {

// Message types of the schema, as far as the walk needs them.
enum class kind : uint8_t {
  payload,
  metric,
  metadata,
  property_set,
  property_value,
  property_set_list,
  dataset,
  row,
  dataset_value,
  template_msg,
  parameter,
  extension, // *ValueExtension: only extension fields, which libprotobuf keeps as unknown bytes
  none,
};

constexpr uint8_t wire_varint = 0;
constexpr uint8_t wire_fixed64 = 1;
constexpr uint8_t wire_length = 2;
constexpr uint8_t wire_start_group = 3;
constexpr uint8_t wire_end_group = 4;
constexpr uint8_t wire_fixed32 = 5;

// libprotobuf rejects length prefixes above this (ParseContext::ReadSize).
constexpr uint64_t max_length_prefix = std::numeric_limits<int32_t>::max() - 16;

// The message kind of length-delimited field `number` in a message of kind `k`; `none` for
// strings, bytes, packed scalars and unknown fields.
kind child_of(kind k, uint32_t number) noexcept {
  switch (k) {
    case kind::payload:
      return number == 2 ? kind::metric : kind::none;
    case kind::metric:
      switch (number) {
        case 8:
          return kind::metadata;
        case 9:
          return kind::property_set;
        case 17:
          return kind::dataset;
        case 18:
          return kind::template_msg;
        case 19:
          return kind::extension;
        default:
          return kind::none;
      }
    case kind::property_set:
      return number == 2 ? kind::property_value : kind::none;
    case kind::property_value:
      switch (number) {
        case 9:
          return kind::property_set;
        case 10:
          return kind::property_set_list;
        case 11:
          return kind::extension;
        default:
          return kind::none;
      }
    case kind::property_set_list:
      return number == 1 ? kind::property_set : kind::none;
    case kind::dataset:
      return number == 4 ? kind::row : kind::none;
    case kind::row:
      return number == 1 ? kind::dataset_value : kind::none;
    case kind::dataset_value:
      return number == 7 ? kind::extension : kind::none;
    case kind::template_msg:
      if (number == 2)
        return kind::metric;
      return number == 3 ? kind::parameter : kind::none;
    case kind::parameter:
      return number == 9 ? kind::extension : kind::none;
    case kind::metadata:
    case kind::extension:
    case kind::none:
      return kind::none;
  }
  return kind::none;
}

// String and bytes fields, bounded by max_string_bytes like the decoder bounds them. Unknown
// fields are skipped by the decoder and need no bound beyond the payload size.
bool is_text_field(kind k, uint32_t number) noexcept {
  switch (k) {
    case kind::payload:
      return number == 4 || number == 5;
    case kind::metric:
      return number == 1 || number == 15 || number == 16;
    case kind::metadata:
      return number == 2 || (number >= 5 && number <= 8);
    case kind::property_set:
      return number == 1;
    case kind::property_value:
      return number == 8;
    case kind::dataset:
      return number == 2;
    case kind::dataset_value:
      return number == 6;
    case kind::template_msg:
      return number == 1 || number == 4;
    case kind::parameter:
      return number == 1 || number == 8;
    default:
      return false;
  }
}

// Repeated submessage fields bounded by max_elements (per parent message): Row cells,
// PropertySet values, PropertySetList sets, DataSet rows, Template parameters.
bool counted_child(kind parent, uint32_t number) noexcept {
  return (parent == kind::row && number == 1) || (parent == kind::property_set && number == 2)
         || (parent == kind::property_set_list && number == 1)
         || (parent == kind::dataset && number == 4)
         || (parent == kind::template_msg && number == 3);
}

const char* name_of(kind k) noexcept {
  switch (k) {
    case kind::payload:
      return "Payload";
    case kind::metric:
      return "Metric";
    case kind::metadata:
      return "MetaData";
    case kind::property_set:
      return "PropertySet";
    case kind::property_value:
      return "PropertyValue";
    case kind::property_set_list:
      return "PropertySetList";
    case kind::dataset:
      return "DataSet";
    case kind::row:
      return "DataSet.Row";
    case kind::dataset_value:
      return "DataSetValue";
    case kind::template_msg:
      return "Template";
    case kind::parameter:
      return "Template.Parameter";
    case kind::extension:
      return "extension";
    case kind::none:
      break;
  }
  return "?";
}

// The walk runs over every field of a large payload, so its steps return a plain bool
// (false = stop) and the first problem is kept in `problem_`: building a result<> per field
// costs more than the walk itself.
class wire_scanner {
public:
  wire_scanner(const uint8_t* base, const decode_limits& limits)
    : base_(base), limits_(limits) {
  }

  result<void> run(const uint8_t* p, const uint8_t* end) {
    if (message(p, end, kind::payload, 0, 0))
      return {};
    return fail(problem_.code, std::move(problem_.detail));
  }

private:
  // Walks the fields in [p, end) of a message of kind `k`. `depth` counts protobuf message
  // nesting (the Payload is 0); `level` counts templates and property sets as the decoder does.
  bool message(const uint8_t* p, const uint8_t* end, kind k, size_t depth, size_t level) {
    // Per-message repetition counts of fields 1..4 (the ones that have limits).
    size_t counts[5] = {};
    size_t cells = 0; // DataSet: cells over all rows
    while (p < end) {
      const uint8_t* tag_at = p;
      uint32_t number = 0;
      uint8_t wire_type = 0;
      if (!read_tag(p, end, number, wire_type))
        return false;
      switch (wire_type) {
        case wire_varint: {
          uint64_t ignored;
          if (!read_varint(p, end, ignored, 10, "varint"))
            return false;
          if (k == kind::dataset && number == 3 && !count(counts[3], tag_at, "DataSet.types"))
            return false;
          break;
        }
        case wire_fixed64:
          if (end - p < 8)
            return malformed(tag_at, "truncated fixed64 field " + std::to_string(number));
          p += 8;
          break;
        case wire_fixed32:
          if (end - p < 4)
            return malformed(tag_at, "truncated fixed32 field " + std::to_string(number));
          p += 4;
          break;
        case wire_length: {
          uint64_t len = 0;
          if (!read_varint(p, end, len, 5, "length"))
            return false;
          if (len > max_length_prefix || len > static_cast<uint64_t>(end - p))
            return malformed(tag_at, "length " + std::to_string(len) + " of field "
                                       + std::to_string(number) + " runs past the end ("
                                       + std::to_string(end - p) + " bytes left)");
          const uint8_t* body_end = p + len;
          kind child = child_of(k, number);
          if (child != kind::none) {
            if (!enter(child, k, number, tag_at, counts, depth, level, p, body_end))
              return false;
            if (child == kind::row) {
              cells += last_row_cells_;
              if (cells > limits_.max_elements)
                return exceeded(tag_at, "DataSet with more than max_elements "
                                          + std::to_string(limits_.max_elements) + " cells");
            }
          } else if (k == kind::dataset && number == 3) {
            if (!packed_varints(p, body_end, counts[3], tag_at))
              return false;
          } else {
            if (len > limits_.max_string_bytes && is_text_field(k, number))
              return exceeded(tag_at, std::string(name_of(k)) + " field "
                                        + std::to_string(number) + " of " + std::to_string(len)
                                        + " bytes exceeds max_string_bytes "
                                        + std::to_string(limits_.max_string_bytes));
            if (((k == kind::property_set && number == 1) || (k == kind::dataset && number == 2))
                && !count(counts[number], tag_at, name_of(k)))
              return false;
          }
          p = body_end;
          break;
        }
        case wire_start_group:
          if (depth + 1 > protobuf_recursion_limit)
            return exceeded(tag_at, nesting_message());
          if (!skip_group(p, end, number, depth + 1))
            return false;
          break;
        case wire_end_group:
          return malformed(tag_at, "end-group tag without a start-group");
        default:
          return malformed(tag_at, "invalid wire type " + std::to_string(wire_type));
      }
    }
    if (k == kind::row)
      last_row_cells_ = counts[1];
    return true;
  }

  bool enter(kind child, kind parent, uint32_t number, const uint8_t* tag_at, size_t* counts,
             size_t depth, size_t level, const uint8_t* p, const uint8_t* end) {
    size_t child_level = level;
    if (child == kind::template_msg || child == kind::property_set)
      ++child_level;
    if (child_level > limits_.max_depth)
      return exceeded(tag_at, "templates and property sets nested deeper than max_depth "
                                + std::to_string(limits_.max_depth));
    if (depth + 1 > protobuf_recursion_limit)
      return exceeded(tag_at, nesting_message());
    if (child == kind::metric) {
      if (++metrics_ > limits_.max_metrics)
        return exceeded(tag_at, "more than max_metrics " + std::to_string(limits_.max_metrics)
                                  + " metrics");
    } else if (counted_child(parent, number) && !count(counts[number], tag_at, name_of(parent))) {
      return false;
    }
    return message(p, end, child, depth + 1, child_level);
  }

  bool count(size_t& counter, const uint8_t* at, const char* where) {
    if (++counter > limits_.max_elements)
      return exceeded(at, std::string(where) + " with more than max_elements "
                            + std::to_string(limits_.max_elements) + " entries");
    return true;
  }

  bool packed_varints(const uint8_t* p, const uint8_t* end, size_t& counter,
                      const uint8_t* tag_at) {
    while (p < end) {
      uint64_t ignored;
      if (!read_varint(p, end, ignored, 10, "packed varint")
          || !count(counter, tag_at, "DataSet.types"))
        return false;
    }
    return true;
  }

  // Skips an unknown group up to its end-group tag; groups may nest.
  bool skip_group(const uint8_t*& p, const uint8_t* end, uint32_t number, size_t depth) {
    while (p < end) {
      const uint8_t* tag_at = p;
      uint32_t inner = 0;
      uint8_t wire_type = 0;
      if (!read_tag(p, end, inner, wire_type))
        return false;
      switch (wire_type) {
        case wire_varint: {
          uint64_t ignored;
          if (!read_varint(p, end, ignored, 10, "varint"))
            return false;
          break;
        }
        case wire_fixed64:
          if (end - p < 8)
            return malformed(tag_at, "truncated fixed64 field in a group");
          p += 8;
          break;
        case wire_fixed32:
          if (end - p < 4)
            return malformed(tag_at, "truncated fixed32 field in a group");
          p += 4;
          break;
        case wire_length: {
          uint64_t len = 0;
          if (!read_varint(p, end, len, 5, "length"))
            return false;
          if (len > max_length_prefix || len > static_cast<uint64_t>(end - p))
            return malformed(tag_at, "length " + std::to_string(len)
                                       + " in a group runs past the end");
          p += len;
          break;
        }
        case wire_start_group:
          if (depth + 1 > protobuf_recursion_limit)
            return exceeded(tag_at, nesting_message());
          if (!skip_group(p, end, inner, depth + 1))
            return false;
          break;
        case wire_end_group:
          if (inner != number)
            return malformed(tag_at, "end-group tag " + std::to_string(inner)
                                       + " does not close group " + std::to_string(number));
          return true;
        default:
          return malformed(tag_at, "invalid wire type " + std::to_string(wire_type));
      }
    }
    return malformed(p, "group " + std::to_string(number) + " is not closed");
  }

  bool read_tag(const uint8_t*& p, const uint8_t* end, uint32_t& number, uint8_t& wire_type) {
    const uint8_t* at = p;
    uint64_t tag = 0;
    if (!read_varint(p, end, tag, 5, "tag"))
      return false;
    // libprotobuf reads at most 5 tag bytes and drops the bits beyond 32, as this does.
    auto tag32 = static_cast<uint32_t>(tag);
    number = tag32 >> 3;
    wire_type = static_cast<uint8_t>(tag32 & 7);
    if (number == 0)
      return malformed(at, "field number 0");
    return true;
  }

  bool read_varint(const uint8_t*& p, const uint8_t* end, uint64_t& v, size_t max_bytes,
                   const char* what) {
    if (p < end && *p < 0x80) { // most tags and lengths are one byte
      v = *p++;
      return true;
    }
    const uint8_t* at = p;
    v = 0;
    for (size_t i = 0; i < max_bytes; ++i) {
      if (p == end)
        return malformed(at, std::string("truncated ") + what);
      uint8_t b = *p++;
      v |= uint64_t{b & 0x7Fu} << (7 * i);
      if ((b & 0x80) == 0)
        return true;
    }
    return malformed(at, std::string(what) + " longer than " + std::to_string(max_bytes)
                           + " bytes");
  }

  std::string nesting_message() const {
    return "more than " + std::to_string(protobuf_recursion_limit)
           + " nested protobuf messages";
  }

  bool malformed(const uint8_t* at, std::string what) {
    return stop(errc::payload_malformed, std::move(what), at);
  }

  bool exceeded(const uint8_t* at, std::string what) {
    return stop(errc::limit_exceeded, std::move(what), at);
  }

  bool stop(errc code, std::string what, const uint8_t* at) {
    problem_.code = code;
    problem_.detail = std::move(what) + " at byte " + std::to_string(at - base_);
    return false;
  }

  const uint8_t* base_;
  const decode_limits& limits_;
  size_t metrics_ = 0;
  size_t last_row_cells_ = 0;
  error problem_;
};

} // namespace

result<void> scan_payload_wire(const uint8_t* data, size_t size, const decode_limits& limits) {
  wire_scanner scanner{data, limits};
  return scanner.run(data, data + size);
}

} // namespace floe::sparkplug
