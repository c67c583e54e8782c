#define CAF_SUITE datatype_model
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "sparkplug/types.hpp"

using namespace floe::sparkplug;

CAF_TEST(every_datatype_name_maps_back_to_its_value) {
  for (uint32_t raw = 0; raw <= max_datatype_value; ++raw) {
    auto t = static_cast<datatype>(raw);
    auto back = datatype_from_string(to_string(t));
    CAF_REQUIRE(back.has_value());
    CAF_CHECK_EQUAL(static_cast<uint32_t>(*back), raw);
  }
}

CAF_TEST(datatype_names_follow_the_specification) {
  CAF_CHECK_EQUAL(std::string(to_string(datatype::float32)), "Float");
  CAF_CHECK_EQUAL(std::string(to_string(datatype::float64)), "Double");
  CAF_CHECK_EQUAL(std::string(to_string(datatype::uuid)), "UUID");
  CAF_CHECK_EQUAL(std::string(to_string(datatype::template_type)), "Template");
  CAF_CHECK_EQUAL(std::string(to_string(datatype::datetime_array)), "DateTimeArray");
  CAF_CHECK_EQUAL(std::string(to_string(static_cast<datatype>(35))), "Invalid");
}

CAF_TEST(datatype_lookup_ignores_case_and_rejects_unknown_names) {
  CAF_CHECK(datatype_from_string("int8array") == datatype::int8_array);
  CAF_CHECK(datatype_from_string("BOOLEAN") == datatype::boolean);
  CAF_CHECK(!datatype_from_string("Int128").has_value());
  CAF_CHECK(!datatype_from_string("").has_value());
  CAF_CHECK(!datatype_from_string("Int8 ").has_value());
}

CAF_TEST(datatype_groups_match_the_specification) {
  CAF_CHECK(is_valid_datatype(0));
  CAF_CHECK(is_valid_datatype(34));
  CAF_CHECK(!is_valid_datatype(35));
  CAF_CHECK(!is_valid_datatype(99));
  CAF_CHECK(is_basic(datatype::unknown));
  CAF_CHECK(is_basic(datatype::text));
  CAF_CHECK(!is_basic(datatype::uuid));
  CAF_CHECK(!is_basic(datatype::int8_array));
  CAF_CHECK(is_array(datatype::int8_array));
  CAF_CHECK(is_array(datatype::datetime_array));
  CAF_CHECK(!is_array(datatype::property_set_list));
  CAF_CHECK(!is_array(static_cast<datatype>(35)));
  CAF_CHECK(is_signed_integer(datatype::int64));
  CAF_CHECK(!is_signed_integer(datatype::uint8));
  CAF_CHECK(is_unsigned_integer(datatype::uint32));
  CAF_CHECK(!is_unsigned_integer(datatype::datetime));
  CAF_CHECK(is_numeric(datatype::float64));
  CAF_CHECK(is_numeric(datatype::int8));
  CAF_CHECK(!is_numeric(datatype::datetime));
  CAF_CHECK(!is_numeric(datatype::boolean));
}

CAF_TEST(property_set_find_returns_the_value_of_a_key_or_null) {
  property_set props;
  props.keys = {"engUnit", "engLow"};
  props.values.resize(2);
  props.values[0].type = datatype::string;
  props.values[0].value = std::string("degC");
  props.values[1].type = datatype::float64;
  props.values[1].value = -40.0;
  const auto* unit = props.find("engUnit");
  CAF_REQUIRE(unit != nullptr);
  CAF_CHECK(std::get<std::string>(unit->value) == "degC");
  CAF_CHECK(props.find("engHigh") == nullptr);
  CAF_CHECK(props.find("") == nullptr);
}

CAF_TEST(metric_equality_compares_floats_by_bit_pattern) {
  metric a;
  a.type = datatype::float32;
  a.val = std::numeric_limits<float>::quiet_NaN();
  metric b = a;
  CAF_CHECK(a == b); // NaN equals itself: equality is reflexive
  a.val = 0.0f;
  b.val = -0.0f;
  CAF_CHECK(!(a == b)); // different on the wire
  a.type = b.type = datatype::double_array;
  a.val = std::vector<double>{std::nan(""), 1.0};
  b.val = std::vector<double>{std::nan(""), 1.0};
  CAF_CHECK(a == b);
}

CAF_TEST(dataset_cells_inside_metrics_compare_by_bit_pattern) {
  dataset set;
  set.columns = {"x"};
  set.types = {datatype::float64};
  set.rows = {{scalar{std::nan("")}}};
  metric a;
  a.type = datatype::dataset;
  a.val = set;
  metric b = a;
  CAF_CHECK(a == b);
}

CAF_TEST(metric_equality_sees_every_field) {
  metric base;
  base.name = "m";
  base.type = datatype::int32;
  base.val = int64_t{5};
  auto differs = [&](auto change) {
    metric other = base;
    change(other);
    return !(other == base);
  };
  CAF_CHECK(differs([](metric& m) { m.name = "n"; }));
  CAF_CHECK(differs([](metric& m) { m.alias = 1; }));
  CAF_CHECK(differs([](metric& m) { m.timestamp = 1; }));
  CAF_CHECK(differs([](metric& m) { m.type = datatype::int16; }));
  CAF_CHECK(differs([](metric& m) { m.datatype_on_wire = false; }));
  CAF_CHECK(differs([](metric& m) { m.is_historical = true; }));
  CAF_CHECK(differs([](metric& m) { m.is_transient = true; }));
  CAF_CHECK(differs([](metric& m) { m.is_null = true; }));
  CAF_CHECK(differs([](metric& m) { m.meta.emplace(); }));
  CAF_CHECK(differs([](metric& m) { m.properties.emplace(); }));
  CAF_CHECK(differs([](metric& m) { m.val = uint64_t{5}; })); // same number, other alternative
}
