#define CAF_SUITE payload_malformed
#include <caf/test/unit_test.hpp>

#include "payload_samples.hpp"
#include "wire_bytes.hpp"

using namespace floe::sparkplug;
using namespace floe::sparkplug::test;

namespace {

std::string one_metric(const wire& m) {
  return wire{}.message(field::payload_metrics, m).str();
}

wire typed(datatype t) {
  return wire{}.bytes(field::metric_name, "m").uint(field::metric_datatype,
                                                    static_cast<uint32_t>(t));
}

// A metric with `levels` templates nested inside each other.
wire nested_template_metric(size_t levels) {
  wire m;
  m.bytes(field::metric_name, "t").uint(field::metric_datatype, 19);
  if (levels > 0)
    m.message(field::metric_template_value,
              wire{}
                .uint(field::template_is_definition, 0)
                .message(field::template_metrics, nested_template_metric(levels - 1)));
  return m;
}

// A PropertySet with `levels` property sets nested inside each other (this one included).
wire nested_property_set(size_t levels) {
  wire value;
  value.uint(field::property_value_type, 20);
  if (levels > 1)
    value.message(field::property_value_propertyset, nested_property_set(levels - 1));
  return wire{}.bytes(field::property_set_keys, "k").message(field::property_set_values, value);
}

decode_limits small_limits() {
  decode_limits limits;
  limits.max_metrics = 3;
  limits.max_string_bytes = 8;
  limits.max_elements = 4;
  limits.max_depth = 2;
  return limits;
}

uint64_t next_random(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

} // namespace

CAF_TEST(truncated_payloads_are_malformed_at_every_cut) {
  auto bytes = encoded(with_metrics(one_metric_per_datatype()));
  size_t failures = 0;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = decode_payload(std::string_view(bytes).substr(0, cut));
    if (!r) {
      ++failures;
      CAF_CHECK(r.error().code == errc::payload_malformed);
    }
  }
  CAF_CHECK_GREATER(failures, bytes.size() / 2);
  CAF_CHECK_EQUAL(decode_error(from_hex("08 FF"), errc::payload_malformed),
                  "truncated varint at byte 1");
  CAF_CHECK_EQUAL(decode_error(from_hex("12 05 0A 01"), errc::payload_malformed),
                  "length 5 of field 2 runs past the end (2 bytes left) at byte 0");
}

CAF_TEST(empty_input_is_an_empty_payload) {
  auto r = decode_payload(nullptr, 0);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(*r == payload{});
}

CAF_TEST(garbage_is_malformed) {
  decode_error(from_hex("FF FF FF FF FF FF FF FF FF FF FF"), errc::payload_malformed);
  decode_error("hello, world", errc::payload_malformed);
  decode_error(from_hex("00"), errc::payload_malformed); // field number 0
  CAF_CHECK_EQUAL(decode_error(wire{}.tag(1, 7).str(), errc::payload_malformed),
                  "invalid wire type 7 at byte 0");
  decode_error(wire{}.tag(9, 4).str(), errc::payload_malformed); // end-group without start
  decode_error(wire{}.tag(9, 3).uint(1, 1).str(), errc::payload_malformed); // unclosed group
}

CAF_TEST(random_bytes_never_crash_the_decoder) {
  uint64_t state = 0x9E3779B97F4A7C15u;
  size_t decoded_ok = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(next_random(state) % 64, '\0');
    for (auto& c : bytes)
      c = static_cast<char>(next_random(state));
    auto r = decode_payload(bytes);
    decoded_ok += r.has_value();
  }
  CAF_MESSAGE(decoded_ok << " of 2000 random inputs decoded");
}

CAF_TEST(mutated_payloads_decode_to_errors_or_to_payloads_that_round_trip) {
  auto original = encoded(with_metrics(one_metric_per_datatype()));
  uint64_t state = 12345;
  size_t still_valid = 0;
  for (int i = 0; i < 3000; ++i) {
    auto bytes = original;
    for (int flips = 1 + static_cast<int>(next_random(state) % 3); flips > 0; --flips)
      bytes[next_random(state) % bytes.size()] = static_cast<char>(next_random(state));
    auto r = decode_payload(bytes);
    if (!r)
      continue;
    ++still_valid;
    std::string again;
    auto enc = encode_payload(*r, again);
    CAF_REQUIRE(enc.has_value());
    auto back = decode_payload(again);
    CAF_REQUIRE(back.has_value());
    CAF_REQUIRE(*back == *r);
  }
  CAF_MESSAGE(still_valid << " of 3000 mutations still decoded");
}

CAF_TEST(known_fields_with_the_wrong_wire_type_are_malformed) {
  auto detail = decode_error(wire{}.bytes(field::payload_seq, "x").str(), errc::payload_malformed);
  CAF_CHECK_EQUAL(detail, "Payload field 3 (seq) has the wrong wire type");
  detail = decode_error(one_metric(wire{}.fixed32(field::metric_datatype, 3)),
                        errc::payload_malformed);
  CAF_CHECK_EQUAL(detail, "metrics[0]: Metric field 4 (datatype) has the wrong wire type");
  decode_error(wire{}.uint(field::payload_metrics, 1).str(), errc::payload_malformed);
}

CAF_TEST(oversized_payloads_are_rejected_before_parsing) {
  decode_limits limits;
  limits.max_payload_bytes = 10;
  auto detail = decode_error(std::string(11, '\x08'), errc::payload_too_large, limits);
  CAF_CHECK_EQUAL(detail, "11 bytes exceed max_payload_bytes 10");
  CAF_CHECK(decode_payload(from_hex("08 01"), limits).has_value());
}

CAF_TEST(too_many_metrics_are_rejected) {
  auto limits = small_limits();
  wire four;
  for (int i = 0; i < 4; ++i)
    four.message(field::payload_metrics, typed(datatype::boolean));
  decode_error(four.str(), errc::limit_exceeded, limits);
  // Template members count too: one metric holding a template of three members.
  wire tmpl;
  for (int i = 0; i < 3; ++i)
    tmpl.message(field::template_metrics, typed(datatype::boolean));
  decode_error(one_metric(typed(datatype::template_type).message(field::metric_template_value, tmpl)),
               errc::limit_exceeded, limits);
}

CAF_TEST(long_strings_are_rejected) {
  auto limits = small_limits();
  decode_error(one_metric(wire{}.bytes(field::metric_name, "123456789")), errc::limit_exceeded,
               limits);
  decode_error(one_metric(typed(datatype::string).bytes(field::metric_string_value, "123456789")),
               errc::limit_exceeded, limits);
  decode_error(wire{}.bytes(field::payload_body, "123456789").str(), errc::limit_exceeded, limits);
  CAF_CHECK(decode_payload(one_metric(wire{}.bytes(field::metric_name, "12345678")), limits));
}

CAF_TEST(too_many_elements_are_rejected) {
  auto limits = small_limits();
  decode_error(one_metric(typed(datatype::int32_array).bytes(field::metric_bytes_value,
                                                             std::string(20, '\0'))),
               errc::limit_exceeded, limits);
  decode_error(one_metric(typed(datatype::boolean_array).bytes(field::metric_bytes_value,
                                                               from_hex("05 00 00 00 00"))),
               errc::limit_exceeded, limits);
  decode_error(one_metric(typed(datatype::string_array).bytes(field::metric_bytes_value,
                                                              std::string(5, '\0'))),
               errc::limit_exceeded, limits);
  wire set;
  set.bytes(field::dataset_columns, "a").bytes(field::dataset_columns, "b");
  set.uint(field::dataset_types, 11).uint(field::dataset_types, 11);
  for (int r = 0; r < 3; ++r)
    set.message(field::dataset_rows, wire{}
                                       .message(field::row_elements, wire{})
                                       .message(field::row_elements, wire{}));
  decode_error(one_metric(typed(datatype::dataset).message(field::metric_dataset_value, set)),
               errc::limit_exceeded, limits);
  wire props;
  for (int i = 0; i < 5; ++i)
    props.bytes(field::property_set_keys, "k").message(field::property_set_values,
                                                       wire{}.uint(field::property_value_type, 11));
  decode_error(one_metric(typed(datatype::boolean).message(field::metric_properties, props)),
               errc::limit_exceeded, limits);
}

CAF_TEST(nesting_deeper_than_max_depth_is_rejected) {
  decode_limits limits; // max_depth 16
  CAF_CHECK(decode_payload(one_metric(nested_template_metric(16)), limits).has_value());
  decode_error(one_metric(nested_template_metric(17)), errc::limit_exceeded, limits);
  auto with_props = [](size_t levels) {
    return one_metric(typed(datatype::boolean).message(field::metric_properties,
                                                       nested_property_set(levels)));
  };
  CAF_CHECK(decode_payload(with_props(16), limits).has_value());
  decode_error(with_props(17), errc::limit_exceeded, limits);
}

CAF_TEST(nesting_beyond_the_protobuf_recursion_limit_is_limit_exceeded) {
  // 1000 templates are 2000 nested protobuf messages; libprotobuf stops at 100.
  auto deep = one_metric(nested_template_metric(1000));
  decode_error(deep, errc::limit_exceeded);
  decode_limits unlimited_depth;
  unlimited_depth.max_depth = 100'000;
  auto detail = decode_error(deep, errc::limit_exceeded, unlimited_depth);
  CAF_CHECK(detail.find("more than 100 nested protobuf messages") != std::string::npos);
  // Unknown groups nest as well.
  wire groups;
  for (int i = 0; i < 200; ++i)
    groups.tag(7, 3);
  for (int i = 0; i < 200; ++i)
    groups.tag(7, 4);
  decode_error(groups.str(), errc::limit_exceeded);
}

CAF_TEST(large_payloads_are_checked_against_limits_before_parsing) {
  // Above 64 KiB the wire walk runs first; its errors carry byte offsets.
  decode_limits limits;
  limits.max_metrics = 10;
  wire many;
  for (int i = 0; i < 40'000; ++i)
    many.message(field::payload_metrics, wire{});
  auto detail = decode_error(many.str(), errc::limit_exceeded, limits);
  CAF_CHECK_EQUAL(detail, "more than max_metrics 10 metrics at byte 20");
  auto deep = wire{}
                .bytes(field::payload_body, std::string(70'000, 'x'))
                .message(field::payload_metrics, nested_template_metric(40))
                .str();
  decode_error(deep, errc::limit_exceeded);
}

CAF_TEST(dataset_shape_mismatches_are_rejected) {
  auto dataset_metric = [](const wire& set) {
    return one_metric(typed(datatype::dataset).message(field::metric_dataset_value, set));
  };
  auto detail = decode_error(dataset_metric(wire{}
                                              .bytes(field::dataset_columns, "a")
                                              .bytes(field::dataset_columns, "b")
                                              .uint(field::dataset_types, 3)),
                             errc::dataset_malformed);
  CAF_CHECK_EQUAL(detail, "metrics[0] 'm': dataset_value: 2 columns but 1 types");
  decode_error(dataset_metric(wire{}
                                .uint(field::dataset_num_of_columns, 3)
                                .bytes(field::dataset_columns, "a")
                                .uint(field::dataset_types, 3)),
               errc::dataset_malformed);
  detail = decode_error(dataset_metric(wire{}
                                         .bytes(field::dataset_columns, "a")
                                         .bytes(field::dataset_columns, "b")
                                         .uint(field::dataset_types, 3)
                                         .uint(field::dataset_types, 3)
                                         .message(field::dataset_rows,
                                                  wire{}.message(field::row_elements, wire{}))),
                        errc::dataset_malformed);
  CAF_CHECK_EQUAL(detail, "metrics[0] 'm': dataset_value: row 0 has 1 cells, expected 2");
  decode_error(dataset_metric(wire{}.bytes(field::dataset_columns, "a").uint(field::dataset_types, 16)),
               errc::invalid_datatype);
}

CAF_TEST(property_set_key_and_value_counts_must_agree) {
  auto props = wire{}
                 .bytes(field::property_set_keys, "a")
                 .bytes(field::property_set_keys, "b")
                 .message(field::property_set_values, wire{}.uint(field::property_value_type, 11));
  auto detail = decode_error(one_metric(typed(datatype::boolean).message(field::metric_properties, props)),
                             errc::property_set_malformed);
  CAF_CHECK_EQUAL(detail, "metrics[0] 'm': properties: 2 keys but 1 values");
}

CAF_TEST(array_bytes_must_hold_whole_elements) {
  auto array_metric = [](datatype t, std::string packed) {
    return one_metric(typed(t).bytes(field::metric_bytes_value, packed));
  };
  auto detail = decode_error(array_metric(datatype::int32_array, std::string(7, '\1')),
                             errc::array_malformed);
  CAF_CHECK_EQUAL(detail, "metrics[0] 'm': Int32Array: 7 bytes is not a multiple of 4");
  decode_error(array_metric(datatype::double_array, std::string(4, '\0')), errc::array_malformed);
  decode_error(array_metric(datatype::int16_array, std::string(1, '\0')), errc::array_malformed);
  decode_error(array_metric(datatype::datetime_array, std::string(12, '\0')),
               errc::array_malformed);
  decode_error(array_metric(datatype::boolean_array, from_hex("0C 00 00 00 34 D0 00")),
               errc::array_malformed);
  decode_error(array_metric(datatype::boolean_array, from_hex("0C 00 00 00 34")),
               errc::array_malformed);
  decode_error(array_metric(datatype::boolean_array, from_hex("0C 00 00")), errc::array_malformed);
  decode_error(array_metric(datatype::string_array, "ab"), errc::array_malformed);
  decode_error(array_metric(datatype::string_array, from_hex("41 00 42")), errc::array_malformed);
}

CAF_TEST(datatypes_outside_the_enum_or_their_place_are_invalid) {
  auto detail = decode_error(one_metric(typed(static_cast<datatype>(99))), errc::invalid_datatype);
  CAF_CHECK_EQUAL(detail, "metrics[0] 'm': datatype 99 is not a Sparkplug DataType (0..34)");
  decode_error(one_metric(typed(datatype::property_set)), errc::invalid_datatype);
  decode_error(one_metric(typed(datatype::boolean).message(
                 field::metric_properties,
                 wire{}.bytes(field::property_set_keys, "k").message(
                   field::property_set_values, wire{}.uint(field::property_value_type, 99)))),
               errc::invalid_datatype);
  decode_error(one_metric(typed(datatype::boolean).message(
                 field::metric_properties,
                 wire{}.bytes(field::property_set_keys, "k").message(
                   field::property_set_values, wire{}.uint(field::property_value_type, 22)))),
               errc::invalid_datatype);
  decode_error(one_metric(typed(datatype::template_type).message(
                 field::metric_template_value,
                 wire{}.message(field::template_parameters,
                                wire{}.bytes(field::parameter_name, "p").uint(field::parameter_type, 19)))),
               errc::invalid_datatype);
}

CAF_TEST(value_fields_must_match_the_datatype) {
  auto good = wire{}
                .bytes(field::metric_name, "a")
                .uint(field::metric_datatype, 11)
                .uint(field::metric_boolean_value, 1);
  auto bad = wire{}
               .bytes(field::metric_name, "b")
               .uint(field::metric_datatype, 3)
               .bytes(field::metric_string_value, "7");
  auto detail = decode_error(
    wire{}.message(field::payload_metrics, good).message(field::payload_metrics, bad).str(),
    errc::value_mismatch);
  CAF_CHECK_EQUAL(detail, "metrics[1] 'b': datatype Int32 does not match a value in string_value");
  decode_error(one_metric(typed(datatype::boolean).uint(field::metric_int_value, 1)),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::float32).fixed64(field::metric_double_value, 0)),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::float64).fixed32(field::metric_float_value, 0)),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::string).bytes(field::metric_bytes_value, "x")),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::bytes).bytes(field::metric_string_value, "x")),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::int8_array).bytes(field::metric_string_value, "x")),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::template_type).message(field::metric_dataset_value, wire{})),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::dataset).uint(field::metric_long_value, 1)),
               errc::value_mismatch);
  // Inside a DataSet, a property and a template parameter.
  detail = decode_error(
    one_metric(typed(datatype::dataset).message(
      field::metric_dataset_value,
      wire{}.bytes(field::dataset_columns, "s").uint(field::dataset_types, 12).message(
        field::dataset_rows,
        wire{}.message(field::row_elements, wire{}.uint(field::cell_int_value, 1))))),
    errc::value_mismatch);
  CAF_CHECK_EQUAL(detail, "metrics[0] 'm': dataset_value: row 0 column 0: datatype String does "
                          "not match a value in int_value/long_value");
  decode_error(one_metric(typed(datatype::boolean).message(
                 field::metric_properties,
                 wire{}.bytes(field::property_set_keys, "k").message(
                   field::property_set_values,
                   wire{}.uint(field::property_value_type, 3)
                     .bytes(field::property_value_string_value, "x")))),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::boolean).message(
                 field::metric_properties,
                 wire{}.bytes(field::property_set_keys, "k").message(
                   field::property_set_values,
                   wire{}.uint(field::property_value_type, 20).uint(field::property_value_int_value, 1)))),
               errc::value_mismatch);
  decode_error(one_metric(typed(datatype::template_type).message(
                 field::metric_template_value,
                 wire{}.message(field::template_parameters,
                                wire{}.uint(field::parameter_type, 9).uint(field::parameter_int_value, 1)))),
               errc::value_mismatch);
}

CAF_TEST(errors_inside_templates_name_the_path) {
  auto member = wire{}.bytes(field::metric_name, "speed").uint(field::metric_datatype, 9).uint(
    field::metric_int_value, 3);
  auto bytes = one_metric(typed(datatype::template_type)
                            .message(field::metric_template_value,
                                     wire{}.message(field::template_metrics, member)));
  auto detail = decode_error(bytes, errc::value_mismatch);
  CAF_CHECK_EQUAL(detail, "metrics[0] 'm': template_value: metrics[0] 'speed': datatype Float "
                          "does not match a value in int_value/long_value");
}
