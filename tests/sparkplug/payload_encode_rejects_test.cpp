#define CAF_SUITE payload_encode_rejects
#include <caf/test/unit_test.hpp>

#include "payload_samples.hpp"

using namespace floe::sparkplug;
using namespace floe::sparkplug::test;

namespace {

error encode_error(const payload& p) {
  std::string out;
  auto r = encode_payload(p, out);
  CAF_REQUIRE(!r.has_value());
  return r.error();
}

error encode_error(metric m) {
  return encode_error(with_metrics({std::move(m)}));
}

} // namespace

CAF_TEST(value_alternative_must_match_the_datatype) {
  auto e = encode_error(typed_metric("t", datatype::int32, std::string("7")));
  CAF_CHECK(e.code == errc::value_mismatch);
  CAF_CHECK_EQUAL(e.detail, "metrics[0] 't': datatype Int32 needs int64_t, the value holds string");
  CAF_CHECK(encode_error(typed_metric("t", datatype::uint8, int64_t{1})).code == errc::value_mismatch);
  CAF_CHECK(encode_error(typed_metric("t", datatype::float32, 1.0)).code == errc::value_mismatch);
  CAF_CHECK(encode_error(typed_metric("t", datatype::bytes, std::string("x"))).code
            == errc::value_mismatch);
  CAF_CHECK(encode_error(typed_metric("t", datatype::int8_array, std::vector<uint64_t>{1})).code
            == errc::value_mismatch);
  CAF_CHECK(encode_error(typed_metric("t", datatype::dataset, template_value{})).code
            == errc::value_mismatch);
  // An untyped metric carries a raw wire alternative only.
  CAF_CHECK(encode_error(typed_metric("t", datatype::unknown, int64_t{-1})).code
            == errc::value_mismatch);
}

CAF_TEST(integers_must_fit_the_datatype_width) {
  auto e = encode_error(typed_metric("t", datatype::int8, int64_t{128}));
  CAF_CHECK(e.code == errc::value_mismatch);
  CAF_CHECK_EQUAL(e.detail, "metrics[0] 't': Int8 value 128 is out of range");
  CAF_CHECK(encode_error(typed_metric("t", datatype::int16, int64_t{-32769})).code
            == errc::value_mismatch);
  CAF_CHECK(encode_error(typed_metric("t", datatype::uint32, uint64_t{1} << 32)).code
            == errc::value_mismatch);
  CAF_CHECK(encode_error(typed_metric("t", datatype::uint8_array, std::vector<uint64_t>{256})).code
            == errc::value_mismatch);
  CAF_CHECK(encode_error(typed_metric("t", datatype::int32_array,
                                      std::vector<int64_t>{int64_t{1} << 31}))
              .code
            == errc::value_mismatch);
}

CAF_TEST(null_metrics_must_not_carry_a_value) {
  auto m = typed_metric("t", datatype::int32, int64_t{1});
  m.is_null = true;
  CAF_CHECK(encode_error(m).code == errc::value_mismatch);
}

CAF_TEST(string_array_elements_must_not_contain_nul) {
  using namespace std::string_literals;
  auto e = encode_error(typed_metric("t", datatype::string_array,
                                     std::vector<std::string>{"ok", "a\0b"s}));
  CAF_CHECK(e.code == errc::value_mismatch);
  CAF_CHECK_EQUAL(e.detail, "metrics[0] 't': StringArray element 1 contains NUL");
}

CAF_TEST(datatypes_must_be_valid_for_their_place) {
  CAF_CHECK(encode_error(typed_metric("t", static_cast<datatype>(99), std::monostate{})).code
            == errc::invalid_datatype);
  CAF_CHECK(encode_error(typed_metric("t", datatype::property_set, std::monostate{})).code
            == errc::invalid_datatype);
  dataset set;
  set.columns = {"a"};
  set.types = {datatype::uuid};
  CAF_CHECK(encode_error(typed_metric("t", datatype::dataset, set)).code
            == errc::invalid_datatype);
  template_value tmpl;
  tmpl.parameters.push_back({std::string("p"), datatype::bytes, std::monostate{}});
  CAF_CHECK(encode_error(typed_metric("t", datatype::template_type, tmpl)).code
            == errc::invalid_datatype);
  auto m = typed_metric("t", datatype::boolean, true);
  m.properties.emplace();
  m.properties->keys = {"k"};
  m.properties->values = {prop(datatype::int8_array, std::monostate{})};
  CAF_CHECK(encode_error(m).code == errc::invalid_datatype);
}

CAF_TEST(dataset_shape_must_be_consistent) {
  dataset set;
  set.columns = {"a", "b"};
  set.types = {datatype::int32};
  CAF_CHECK(encode_error(typed_metric("t", datatype::dataset, set)).code
            == errc::dataset_malformed);
  set.types = {datatype::int32, datatype::int32};
  set.rows = {{int64_t{1}}};
  auto e = encode_error(typed_metric("t", datatype::dataset, set));
  CAF_CHECK(e.code == errc::dataset_malformed);
  CAF_CHECK_EQUAL(e.detail, "metrics[0] 't': dataset: row 0 has 1 cells, expected 2");
  set.rows = {{int64_t{1}, std::string("x")}};
  CAF_CHECK(encode_error(typed_metric("t", datatype::dataset, set)).code == errc::value_mismatch);
}

CAF_TEST(property_sets_need_one_value_per_key) {
  auto m = typed_metric("t", datatype::boolean, true);
  m.properties.emplace();
  m.properties->keys = {"a", "b"};
  m.properties->values = {prop(datatype::boolean, true)};
  auto e = encode_error(m);
  CAF_CHECK(e.code == errc::property_set_malformed);
  CAF_CHECK_EQUAL(e.detail, "metrics[0] 't': properties: 2 keys but 1 values");
}

CAF_TEST(failed_encode_reports_the_failing_template_member) {
  template_value tmpl;
  tmpl.metrics.push_back(typed_metric("ok", datatype::boolean, true));
  tmpl.metrics.push_back(typed_metric("bad", datatype::uint16, uint64_t{70000}));
  auto e = encode_error(typed_metric("Motor", datatype::template_type, tmpl));
  CAF_CHECK_EQUAL(e.detail,
                  "metrics[0] 'Motor': template: metrics[1] 'bad': UInt16 value 70000 is out of range");
}
