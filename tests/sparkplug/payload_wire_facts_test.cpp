#define CAF_SUITE payload_wire_facts
#include <caf/test/unit_test.hpp>

#include "payload_samples.hpp"
#include "wire_bytes.hpp"

using namespace floe::sparkplug;
using namespace floe::sparkplug::test;

namespace {

metric named(std::string name, datatype t, value v) {
  metric m;
  m.name = std::move(name);
  m.type = t;
  m.val = std::move(v);
  return m;
}

payload single(metric m) {
  payload p;
  p.metrics.push_back(std::move(m));
  return p;
}

// Payload { metrics { name: "a", datatype: t, bytes_value: packed } }
std::string array_metric_bytes(datatype t, const std::string& packed) {
  return wire{}
    .message(field::payload_metrics, wire{}
                                       .bytes(field::metric_name, "a")
                                       .uint(field::metric_datatype, static_cast<uint32_t>(t))
                                       .bytes(field::metric_bytes_value, packed))
    .str();
}

// Decodes an array metric from `packed` and checks that encoding it gives `packed` back.
template <class Vector>
void check_array_fact(datatype t, const std::string& packed, const Vector& expected) {
  auto wire_bytes = array_metric_bytes(t, packed);
  auto p = decoded(wire_bytes);
  CAF_REQUIRE_EQUAL(p.metrics.size(), 1u);
  CAF_CHECK(std::get<Vector>(p.metrics[0].val) == expected);
  CAF_CHECK_EQUAL(to_hex(encoded(single(named("a", t, expected)))), to_hex(wire_bytes));
}

} // namespace

CAF_TEST(int8_minus_one_arrives_as_4294967295_in_int_value) {
  // 12 0B: metric of 11 bytes; 0A 01 61: name "a"; 20 01: datatype Int8;
  // 50 FF FF FF FF 0F: int_value 4294967295.
  auto bytes = from_hex("12 0B 0A 01 61 20 01 50 FF FF FF FF 0F");
  auto p = decoded(bytes);
  CAF_REQUIRE_EQUAL(p.metrics.size(), 1u);
  CAF_CHECK(std::get<int64_t>(p.metrics[0].val) == -1);
  // And the encoder writes it the same way (as Eclipse Tahu does).
  CAF_CHECK_EQUAL(to_hex(encoded(single(named("a", datatype::int8, int64_t{-1})))),
                  to_hex(bytes));
}

CAF_TEST(signed_values_are_read_by_masking_to_their_width) {
  auto int_metric = [](datatype t, uint64_t wire_value, bool in_long_value) {
    wire m;
    m.bytes(field::metric_name, "m").uint(field::metric_datatype, static_cast<uint32_t>(t));
    m.uint(in_long_value ? field::metric_long_value : field::metric_int_value, wire_value);
    auto p = decoded(wire{}.message(field::payload_metrics, m).str());
    return p.metrics.at(0).val;
  };
  // Zero-extended encoders (0xFE) and sign-extending ones (0xFFFFFFFE) both mean -2.
  CAF_CHECK(std::get<int64_t>(int_metric(datatype::int8, 0xFE, false)) == -2);
  CAF_CHECK(std::get<int64_t>(int_metric(datatype::int8, 0xFFFFFFFE, false)) == -2);
  CAF_CHECK(std::get<int64_t>(int_metric(datatype::int16, 0xFFFE, false)) == -2);
  CAF_CHECK(std::get<int64_t>(int_metric(datatype::int16, 0xFFFFFFFE, false)) == -2);
  CAF_CHECK(std::get<int64_t>(int_metric(datatype::int32, 0x80000000, false)) == INT32_MIN);
  CAF_CHECK(std::get<int64_t>(int_metric(datatype::int64, UINT64_MAX, true)) == -1);
  CAF_CHECK(std::get<int64_t>(int_metric(datatype::int32, 0xFFFFFFFFFFFFFFFFu, true)) == -1);
  CAF_CHECK(std::get<uint64_t>(int_metric(datatype::uint8, 0xFF, false)) == 255u);
  CAF_CHECK(std::get<uint64_t>(int_metric(datatype::uint16, 0xFFFF, false)) == 65535u);
  CAF_CHECK(std::get<uint64_t>(int_metric(datatype::datetime, 1668114759262u, true))
            == 1668114759262u);
}

CAF_TEST(uint32_is_accepted_in_int_value_and_in_long_value) {
  for (auto field_number : {field::metric_int_value, field::metric_long_value}) {
    auto bytes = wire{}
                   .message(field::payload_metrics,
                            wire{}.bytes(field::metric_name, "u").uint(field::metric_datatype, 7).uint(
                              field_number, 4000000000u))
                   .str();
    auto p = decoded(bytes);
    CAF_CHECK(std::get<uint64_t>(p.metrics.at(0).val) == 4000000000u);
  }
}

CAF_TEST(uint32_is_encoded_into_long_value_unless_configured_otherwise) {
  auto p = single(named("u", datatype::uint32, uint64_t{7}));
  // 0A 01 75: name; 20 07: datatype UInt32; 58 07: long_value (field 11) = 7.
  CAF_CHECK_EQUAL(to_hex(encoded(p)), "12 07 0A 01 75 20 07 58 07");
  encode_options spec_table;
  spec_table.uint32_in_long_value = false;
  // 50 07: int_value (field 10) = 7.
  CAF_CHECK_EQUAL(to_hex(encoded(p, spec_table)), "12 07 0A 01 75 20 07 50 07");
}

CAF_TEST(boolean_array_spec_example_packs_msb_first_after_a_count) {
  // Sparkplug 3.0 "Array Types": [F,F,T,T,F,T,F,F,T,T,F,T] -> 0C 00 00 00 34 D0.
  std::vector<bool> flags{false, false, true, true, false, true,
                          false, false, true, true, false, true};
  check_array_fact(datatype::boolean_array, from_hex("0C 00 00 00 34 D0"), flags);
  // Padding bits carry no elements: set ones decode to the same array.
  auto p = decoded(array_metric_bytes(datatype::boolean_array, from_hex("0C 00 00 00 34 DF")));
  CAF_CHECK(std::get<std::vector<bool>>(p.metrics.at(0).val) == flags);
  check_array_fact(datatype::boolean_array, from_hex("00 00 00 00"), std::vector<bool>{});
}

CAF_TEST(string_array_spec_example_is_nul_terminated_strings) {
  check_array_fact(datatype::string_array, from_hex("41 42 43 00 68 65 6C 6C 6F 00"),
                   std::vector<std::string>{"ABC", "hello"});
  check_array_fact(datatype::string_array, from_hex("00"), std::vector<std::string>{""});
  check_array_fact(datatype::string_array, "", std::vector<std::string>{});
}

CAF_TEST(numeric_arrays_are_little_endian) {
  // The 3.0.0 text prints these big-endian by mistake (errata GH#435); Tahu uses LE.
  check_array_fact(datatype::float_array, from_hex("A4 70 9D 3F"), std::vector<float>{1.23f});
  check_array_fact(datatype::double_array, from_hex("AE 47 E1 7A 14 AE F3 3F"),
                   std::vector<double>{1.23});
  check_array_fact(datatype::int8_array, from_hex("E9 7F"), std::vector<int64_t>{-23, 127});
  check_array_fact(datatype::int16_array, from_hex("FE FF 00 80"),
                   std::vector<int64_t>{-2, -32768});
  check_array_fact(datatype::int32_array, from_hex("01 00 00 00 FF FF FF FF"),
                   std::vector<int64_t>{1, -1});
  check_array_fact(datatype::uint16_array, from_hex("34 12"), std::vector<uint64_t>{0x1234});
  check_array_fact(datatype::uint32_array, from_hex("78 56 34 12"),
                   std::vector<uint64_t>{0x12345678});
  // DateTimeArray: 8 bytes per element (the spec example drops two of them).
  check_array_fact(datatype::datetime_array, from_hex("5E 3E 63 63 84 01 00 00"),
                   std::vector<uint64_t>{1668114759262u});
}

CAF_TEST(dataset_null_cell_is_a_value_with_no_field_set) {
  // DataSet { num_of_columns: 1, columns: "c", types: Int32, rows { elements {} } }
  auto set = wire{}
               .uint(field::dataset_num_of_columns, 1)
               .bytes(field::dataset_columns, "c")
               .uint(field::dataset_types, 3)
               .message(field::dataset_rows, wire{}.message(field::row_elements, wire{}));
  auto bytes = wire{}
                 .message(field::payload_metrics, wire{}
                                                    .bytes(field::metric_name, "d")
                                                    .uint(field::metric_datatype, 16)
                                                    .message(field::metric_dataset_value, set))
                 .str();
  auto p = decoded(bytes);
  const auto& d = std::get<dataset>(p.metrics.at(0).val);
  CAF_REQUIRE_EQUAL(d.rows.size(), 1u);
  CAF_CHECK(std::holds_alternative<std::monostate>(d.rows[0].at(0)));
  CAF_CHECK_EQUAL(to_hex(encoded(p)), to_hex(bytes));
}

CAF_TEST(dataset_types_may_arrive_packed) {
  std::string packed_types = from_hex("03 0C"); // Int32, String
  auto set = wire{}
               .bytes(field::dataset_columns, "n")
               .bytes(field::dataset_columns, "s")
               .bytes(field::dataset_types, packed_types)
               .message(field::dataset_rows, wire{}
                                               .message(field::row_elements,
                                                        wire{}.uint(field::cell_int_value, 0xFFFFFFFF))
                                               .message(field::row_elements,
                                                        wire{}.bytes(field::cell_string_value, "x")));
  auto p = decoded(wire{}
                     .message(field::payload_metrics,
                              wire{}
                                .uint(field::metric_datatype, 16)
                                .message(field::metric_dataset_value, set))
                     .str());
  const auto& d = std::get<dataset>(p.metrics.at(0).val);
  CAF_CHECK(d.types == (std::vector<datatype>{datatype::int32, datatype::string}));
  CAF_CHECK(std::get<int64_t>(d.rows.at(0).at(0)) == -1);
  CAF_CHECK(std::get<std::string>(d.rows.at(0).at(1)) == "x");
}

CAF_TEST(is_null_wins_over_a_value_field) {
  auto bytes = wire{}
                 .message(field::payload_metrics, wire{}
                                                    .bytes(field::metric_name, "n")
                                                    .uint(field::metric_datatype, 3)
                                                    .uint(field::metric_is_null, 1)
                                                    .uint(field::metric_int_value, 5))
                 .str();
  auto p = decoded(bytes);
  CAF_CHECK(p.metrics.at(0).is_null);
  CAF_CHECK(std::holds_alternative<std::monostate>(p.metrics.at(0).val));
}

CAF_TEST(seq_zero_is_present_and_distinct_from_absent) {
  CAF_CHECK(decoded(from_hex("18 00")).seq == std::optional<uint64_t>{0});
  CAF_CHECK(!decoded(from_hex("08 01")).seq.has_value());
  payload p;
  p.seq = 0;
  CAF_CHECK_EQUAL(to_hex(encoded(p)), "18 00");
}

CAF_TEST(unknown_fields_and_extensions_are_skipped) {
  auto metric_bytes = wire{}
                        .bytes(field::metric_name, "m")
                        .uint(field::metric_datatype, 11)
                        .uint(field::metric_boolean_value, 1)
                        .uint(40, 99)                // unknown varint
                        .fixed32(41, 7)              // unknown fixed32
                        .bytes(42, "ignored");       // unknown bytes
  auto bytes = wire{}
                 .uint(field::payload_seq, 4)
                 .message(field::payload_metrics, metric_bytes)
                 .uint(6, 1)                    // first extension number of Payload
                 .fixed64(1000, 5)
                 .tag(7, 3).uint(1, 2).tag(7, 4) // an unknown group
                 .str();
  auto p = decoded(bytes);
  CAF_CHECK(p.seq == std::optional<uint64_t>{4});
  CAF_CHECK(std::get<bool>(p.metrics.at(0).val));
}

CAF_TEST(metric_extension_value_is_not_interpreted) {
  auto bytes = wire{}
                 .message(field::payload_metrics,
                          wire{}.bytes(field::metric_name, "x").message(field::metric_extension_value,
                                                                         wire{}.uint(1, 5)))
                 .str();
  auto p = decoded(bytes);
  CAF_CHECK(std::holds_alternative<std::monostate>(p.metrics.at(0).val));
}

CAF_TEST(datatype_is_a_varint_field_4_and_optional_on_encode) {
  auto m = named("t", datatype::boolean, true);
  CAF_CHECK_EQUAL(to_hex(encoded(single(m))), "12 07 0A 01 74 20 0B 70 01");
  m.datatype_on_wire = false;
  CAF_CHECK_EQUAL(to_hex(encoded(single(m))), "12 05 0A 01 74 70 01");
}

CAF_TEST(property_set_is_parallel_keys_and_values) {
  // PropertySet { keys: "engUnit", values { type: String, string_value: "degC" } }
  auto props = wire{}
                 .bytes(field::property_set_keys, "engUnit")
                 .message(field::property_set_values,
                          wire{}
                            .uint(field::property_value_type, 12)
                            .bytes(field::property_value_string_value, "degC"));
  auto bytes = wire{}
                 .message(field::payload_metrics, wire{}
                                                    .bytes(field::metric_name, "T")
                                                    .uint(field::metric_datatype, 9)
                                                    .message(field::metric_properties, props)
                                                    .fixed32(field::metric_float_value, 0x41200000))
                 .str();
  auto p = decoded(bytes);
  const auto& m = p.metrics.at(0);
  CAF_CHECK(std::get<float>(m.val) == 10.0f);
  const auto* unit = m.properties->find("engUnit");
  CAF_REQUIRE(unit != nullptr);
  CAF_CHECK(unit->type == datatype::string);
  CAF_CHECK(std::get<std::string>(unit->value) == "degC");
  CAF_CHECK_EQUAL(to_hex(encoded(p)), to_hex(bytes));
}
