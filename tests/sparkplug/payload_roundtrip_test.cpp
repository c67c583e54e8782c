#define CAF_SUITE payload_roundtrip
#include <caf/test/unit_test.hpp>

#include <cmath>

#include "payload_samples.hpp"

using namespace floe::sparkplug;
using namespace floe::sparkplug::test;

CAF_TEST(every_metric_datatype_round_trips) {
  auto p = with_metrics(one_metric_per_datatype());
  auto back = roundtrip(p);
  CAF_REQUIRE_EQUAL(back.metrics.size(), p.metrics.size());
  for (size_t i = 0; i < p.metrics.size(); ++i) {
    CAF_MESSAGE(*p.metrics[i].name);
    CAF_CHECK(back.metrics[i] == p.metrics[i]);
  }
  CAF_CHECK(back == p);
}

CAF_TEST(integer_extremes_round_trip_for_each_width) {
  std::vector<metric> ms;
  for (int64_t v : {int64_t{-128}, int64_t{-1}, int64_t{0}, int64_t{127}})
    ms.push_back(typed_metric("i8", datatype::int8, v));
  for (int64_t v : {int64_t{-32768}, int64_t{32767}})
    ms.push_back(typed_metric("i16", datatype::int16, v));
  for (int64_t v : {int64_t{INT32_MIN}, int64_t{INT32_MAX}, int64_t{-1}})
    ms.push_back(typed_metric("i32", datatype::int32, v));
  for (int64_t v : {INT64_MIN, INT64_MAX, int64_t{-1}})
    ms.push_back(typed_metric("i64", datatype::int64, v));
  for (uint64_t v : {uint64_t{0}, uint64_t{255}})
    ms.push_back(typed_metric("u8", datatype::uint8, v));
  for (uint64_t v : {uint64_t{0}, uint64_t{4294967295u}})
    ms.push_back(typed_metric("u32", datatype::uint32, v));
  for (uint64_t v : {uint64_t{0}, UINT64_MAX})
    ms.push_back(typed_metric("u64", datatype::uint64, v));
  auto p = with_metrics(ms);
  CAF_CHECK(roundtrip(p) == p);
  encode_options int_value_uint32;
  int_value_uint32.uint32_in_long_value = false;
  CAF_CHECK(roundtrip(p, int_value_uint32) == p);
}

CAF_TEST(special_floating_point_values_round_trip_bit_exactly) {
  std::vector<metric> ms;
  ms.push_back(typed_metric("nan", datatype::float32, std::nanf("")));
  ms.push_back(typed_metric("-0", datatype::float32, -0.0f));
  ms.push_back(typed_metric("inf", datatype::float64, -HUGE_VAL));
  ms.push_back(typed_metric("denormal", datatype::float64, 4.9e-324));
  ms.push_back(typed_metric("nan array", datatype::float_array, std::vector<float>{std::nanf("1")}));
  auto p = with_metrics(ms);
  CAF_CHECK(roundtrip(p) == p);
}

CAF_TEST(arrays_of_every_length_round_trip) {
  for (size_t n : {0, 1, 7, 8, 9, 16, 17, 100}) {
    std::vector<bool> flags(n);
    std::vector<int64_t> ints(n);
    std::vector<std::string> strings(n);
    for (size_t i = 0; i < n; ++i) {
      flags[i] = (i * 7) % 3 == 0;
      ints[i] = static_cast<int64_t>(i) * -1000;
      strings[i] = std::string(i % 4, 'x');
    }
    auto p = with_metrics({typed_metric("b", datatype::boolean_array, flags),
                           typed_metric("i", datatype::int32_array, ints),
                           typed_metric("s", datatype::string_array, strings)});
    CAF_CHECK(roundtrip(p) == p);
  }
}

CAF_TEST(dataset_with_null_cells_round_trips) {
  dataset set;
  set.columns = {"i8", "u32", "f", "d", "b", "s", "t", "dt", "raw"};
  set.types = {datatype::int8,    datatype::uint32, datatype::float32,
               datatype::float64, datatype::boolean, datatype::string,
               datatype::text,    datatype::datetime, datatype::unknown};
  set.rows.push_back({int64_t{-5}, uint64_t{4000000000u}, 1.5f, -2.25, true, std::string("x"),
                      std::string("long text"), uint64_t{sample_time_ms}, uint64_t{9}});
  std::vector<scalar> nulls(set.columns.size());
  set.rows.push_back(nulls);
  set.rows.push_back({std::monostate{}, uint64_t{0}, std::monostate{}, 0.0, false,
                      std::string(), std::monostate{}, uint64_t{0}, std::string("raw")});
  auto p = with_metrics({typed_metric("table", datatype::dataset, set)});
  auto back = roundtrip(p);
  CAF_CHECK(back == p);
  const auto& cells = std::get<dataset>(back.metrics[0].val).rows;
  CAF_CHECK(std::holds_alternative<std::monostate>(cells[1][3]));
  CAF_CHECK(std::get<int64_t>(cells[0][0]) == -5);
}

CAF_TEST(empty_dataset_keeps_its_columns) {
  dataset set;
  set.columns = {"a", "b"};
  set.types = {datatype::int16, datatype::boolean};
  auto p = with_metrics({typed_metric("empty", datatype::dataset, set)});
  CAF_CHECK(roundtrip(p) == p);
}

CAF_TEST(template_definition_and_instances_round_trip) {
  template_value def;
  def.version = "1.2";
  def.is_definition = true;
  def.parameters.push_back({std::string("ratedKW"), datatype::float32, 75.0f});
  def.parameters.push_back({std::string("vendor"), datatype::string, std::string("ACME")});
  def.parameters.push_back({std::string("unset"), datatype::int32, std::monostate{}});
  def.metrics.push_back(typed_metric("RPM", datatype::float32, 0.0f));
  def.metrics.push_back(typed_metric("Running", datatype::boolean, false));
  def.metrics.push_back(typed_metric("Faults", datatype::string_array, std::vector<std::string>{}));

  template_value bearing;
  bearing.template_ref = "Bearing";
  bearing.is_definition = false;
  bearing.metrics.push_back(typed_metric("Temp", datatype::float64, 41.5));

  template_value instance;
  instance.template_ref = "Motor";
  instance.is_definition = false;
  instance.parameters.push_back({std::string("ratedKW"), datatype::float32, 90.0f});
  instance.metrics.push_back(typed_metric("RPM", datatype::float32, 1480.0f));
  instance.metrics.push_back(typed_metric("DE Bearing", datatype::template_type, bearing));

  auto p = with_metrics({typed_metric("Motor", datatype::template_type, def),
                         typed_metric("Compressor 1/Motor", datatype::template_type, instance)});
  auto back = roundtrip(p);
  CAF_CHECK(back == p);
  const auto& got = std::get<template_value>(back.metrics[0].val);
  CAF_CHECK(!got.template_ref.has_value()); // definitions omit it
  CAF_CHECK(got.is_definition == std::optional<bool>{true});
}

CAF_TEST(nested_property_sets_round_trip) {
  property_set inner;
  inner.keys = {"vendor", "serial"};
  inner.values = {prop(datatype::string, std::string("ACME")), prop(datatype::uint64, uint64_t{42})};
  property_set list_a;
  list_a.keys = {"limit"};
  list_a.values = {prop(datatype::float64, 80.0)};
  property_set props;
  props.keys = {"engUnit", "engLow", "engHigh", "Quality", "hardware", "alarms", "missing",
                "raw"};
  props.values = {prop(datatype::string, std::string("degC")),
                  prop(datatype::float32, -40.0f),
                  prop(datatype::float32, 120.0f),
                  prop(datatype::int32, int64_t{192}),
                  prop(datatype::property_set, inner),
                  prop(datatype::property_set_list, std::vector<property_set>{list_a, inner}),
                  prop(datatype::string, std::monostate{}),
                  prop(datatype::unknown, uint64_t{7})};
  auto m = typed_metric("Brine Temp", datatype::float32, -8.5f);
  m.properties = props;
  auto p = with_metrics({m});
  auto back = roundtrip(p);
  CAF_CHECK(back == p);
  const auto* hw = back.metrics[0].properties->find("hardware");
  CAF_REQUIRE(hw != nullptr);
  CAF_CHECK(std::get<property_set>(hw->value).find("serial") != nullptr);
}

CAF_TEST(metadata_round_trips) {
  auto m = typed_metric("firmware", datatype::file, bytes(100, 0xAB));
  m.meta.emplace();
  m.meta->is_multi_part = true;
  m.meta->content_type = "application/octet-stream";
  m.meta->size = 100000;
  m.meta->seq = 3;
  m.meta->file_name = "fw.bin";
  m.meta->file_type = "bin";
  m.meta->md5 = "d41d8cd98f00b204e9800998ecf8427e";
  m.meta->description = "part 3";
  auto partial = typed_metric("partial", datatype::int32, int64_t{1});
  partial.meta.emplace();
  partial.meta->description = "only a description";
  auto p = with_metrics({m, partial});
  CAF_CHECK(roundtrip(p) == p);
}

CAF_TEST(flags_and_null_values_round_trip) {
  auto historical = typed_metric("h", datatype::double_array, std::vector<double>{1, 2});
  historical.is_historical = true;
  auto transient = typed_metric("t", datatype::int16, int64_t{-3});
  transient.is_transient = true;
  auto null_value = typed_metric("n", datatype::string, std::monostate{});
  null_value.is_null = true;
  auto null_template = typed_metric("nt", datatype::template_type, std::monostate{});
  null_template.is_null = true;
  auto p = with_metrics({historical, transient, null_value, null_template});
  CAF_CHECK(roundtrip(p) == p);
}

CAF_TEST(payload_header_fields_round_trip) {
  payload p;
  p.seq = 0; // present and zero: different from absent
  p.uuid = "urn:floe:body:v1";
  p.body = bytes{1, 2, 3, 0};
  auto back = roundtrip(p);
  CAF_CHECK(back == p);
  CAF_CHECK(back.seq == std::optional<uint64_t>{0});
  CAF_CHECK(!back.timestamp.has_value());
  payload empty;
  CAF_CHECK(encoded(empty).empty());
  CAF_CHECK(roundtrip(empty) == empty);
}

CAF_TEST(alias_only_data_metrics_resolve_to_the_birth_datatypes) {
  // A DATA message as edge nodes send it: aliases, no names, no datatypes.
  std::vector<metric> data;
  std::vector<datatype> birth_types;
  uint64_t alias = 1;
  for (auto m : one_metric_per_datatype()) {
    birth_types.push_back(m.type);
    m.name.reset();
    m.alias = alias++;
    m.datatype_on_wire = false;
    data.push_back(std::move(m));
  }
  auto p = with_metrics(data);
  auto back = roundtrip(p);
  CAF_REQUIRE_EQUAL(back.metrics.size(), data.size());
  for (size_t i = 0; i < back.metrics.size(); ++i) {
    auto& m = back.metrics[i];
    CAF_MESSAGE(to_string(birth_types[i]));
    CAF_CHECK(m.type == datatype::unknown);
    CAF_CHECK(!m.datatype_on_wire);
    auto r = resolve_datatype(m, birth_types[i]);
    if (!r)
      CAF_FAIL(to_string(r.error()));
    CAF_CHECK(m == data[i]);
  }
}

CAF_TEST(untyped_values_keep_the_raw_wire_form) {
  auto p = with_metrics({typed_metric("i8", datatype::int8, int64_t{-1}),
                         typed_metric("f", datatype::float32, 2.0f),
                         typed_metric("a", datatype::int16_array, std::vector<int64_t>{-2})});
  for (auto& m : p.metrics)
    m.datatype_on_wire = false;
  auto back = roundtrip(p);
  // Int8 -1 travels sign-extended to 32 bits.
  CAF_CHECK(std::get<uint64_t>(back.metrics[0].val) == 0xFFFF'FFFFu);
  CAF_CHECK(std::get<float>(back.metrics[1].val) == 2.0f);
  CAF_CHECK(std::get<bytes>(back.metrics[2].val) == (bytes{0xFE, 0xFF}));
  // Raw values encode again as they arrived.
  CAF_CHECK(roundtrip(back) == back);
}
