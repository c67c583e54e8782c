#define CAF_SUITE resolve_datatype
#include <caf/test/unit_test.hpp>

#include "payload_samples.hpp"

using namespace floe::sparkplug;
using namespace floe::sparkplug::test;

namespace {

metric raw(value v) {
  metric m;
  m.alias = 1;
  m.datatype_on_wire = false;
  m.val = std::move(v);
  return m;
}

} // namespace

CAF_TEST(raw_integers_take_the_width_and_sign_of_the_datatype) {
  auto m = raw(uint64_t{0xFFFF'FFFF});
  CAF_REQUIRE(resolve_datatype(m, datatype::int8));
  CAF_CHECK(m.type == datatype::int8);
  CAF_CHECK(std::get<int64_t>(m.val) == -1);
  m = raw(uint64_t{0xFFFF'FFFF});
  CAF_REQUIRE(resolve_datatype(m, datatype::uint32));
  CAF_CHECK(std::get<uint64_t>(m.val) == 0xFFFF'FFFFu);
  m = raw(uint64_t{0xFFFF'FFFF});
  CAF_REQUIRE(resolve_datatype(m, datatype::int64));
  CAF_CHECK(std::get<int64_t>(m.val) == 0xFFFF'FFFF);
  m = raw(uint64_t{1668114759262u});
  CAF_REQUIRE(resolve_datatype(m, datatype::datetime));
  CAF_CHECK(std::get<uint64_t>(m.val) == 1668114759262u);
}

CAF_TEST(raw_bytes_unpack_into_the_array_datatype) {
  auto m = raw(bytes{0xA4, 0x70, 0x9D, 0x3F});
  CAF_REQUIRE(resolve_datatype(m, datatype::float_array));
  CAF_CHECK(std::get<std::vector<float>>(m.val) == std::vector<float>{1.23f});
  m = raw(bytes{0xA4, 0x70, 0x9D, 0x3F});
  CAF_REQUIRE(resolve_datatype(m, datatype::bytes));
  CAF_CHECK(std::get<bytes>(m.val).size() == 4u);
}

CAF_TEST(null_and_absent_values_resolve_to_any_datatype) {
  auto m = raw(std::monostate{});
  m.is_null = true;
  CAF_REQUIRE(resolve_datatype(m, datatype::dataset));
  CAF_CHECK(m.type == datatype::dataset);
  CAF_CHECK(std::holds_alternative<std::monostate>(m.val));
}

CAF_TEST(mismatching_raw_values_fail_and_leave_the_metric_unchanged) {
  auto m = raw(std::string("7"));
  auto before = m;
  auto r = resolve_datatype(m, datatype::int32);
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::value_mismatch);
  CAF_CHECK_EQUAL(r.error().detail, "datatype Int32 does not match a value in string_value");
  CAF_CHECK(m == before);
  m = raw(bytes(7, 0));
  before = m;
  r = resolve_datatype(m, datatype::int32_array);
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::array_malformed);
  CAF_CHECK(m == before);
  m = raw(1.5f);
  CAF_CHECK(resolve_datatype(m, datatype::float64).error().code == errc::value_mismatch);
  m = raw(true);
  CAF_CHECK(resolve_datatype(m, datatype::int8).error().code == errc::value_mismatch);
}

CAF_TEST(typed_metrics_resolve_only_to_their_own_datatype) {
  auto m = typed_metric("t", datatype::int16, int64_t{-2});
  CAF_CHECK(resolve_datatype(m, datatype::int16).has_value());
  auto r = resolve_datatype(m, datatype::uint16);
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::value_mismatch);
  CAF_CHECK(std::get<int64_t>(m.val) == -2);
}

CAF_TEST(property_and_invalid_datatypes_cannot_type_a_metric) {
  auto m = raw(uint64_t{1});
  CAF_CHECK(resolve_datatype(m, datatype::property_set).error().code == errc::invalid_datatype);
  CAF_CHECK(resolve_datatype(m, static_cast<datatype>(40)).error().code
            == errc::invalid_datatype);
  CAF_CHECK(m.type == datatype::unknown);
}

CAF_TEST(template_members_resolve_like_top_level_metrics) {
  template_value instance;
  instance.template_ref = "Motor";
  auto member = raw(uint64_t{0xFFFE});
  member.alias.reset();
  member.name = "Torque";
  instance.metrics.push_back(member);
  auto m = raw(instance);
  CAF_REQUIRE(resolve_datatype(m, datatype::template_type));
  auto& tmpl = std::get<template_value>(m.val);
  CAF_REQUIRE(resolve_datatype(tmpl.metrics[0], datatype::int16));
  CAF_CHECK(std::get<int64_t>(tmpl.metrics[0].val) == -2);
}
