#define CAF_SUITE session_alias
#include <caf/test/unit_test.hpp>

#include "session_fixture.hpp"

using namespace floe::host;
using namespace floe::host::test;

CAF_TEST_FIXTURE_SCOPE(session_alias_tests, session_fixture)

CAF_TEST(data_by_alias_gets_the_birth_name_and_datatype) {
  born_with_device();
  feed(mt::ddata, with(2, {by_alias(10, uint64_t{0xFFFF'FFFE})}), "D1");
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 1u);
  CAF_CHECK_EQUAL(values[0].device, "D1");
  CAF_CHECK_EQUAL(values[0].name, "Level");
  CAF_CHECK(values[0].type == datatype::int32);
  CAF_CHECK(values[0].value == sparkplug::value{int64_t{-2}});
  CAF_CHECK(!values[0].from_birth);
}

CAF_TEST(alias_zero_is_a_valid_alias) {
  feed(mt::nbirth, nbirth(1, 0, {def("Zero", datatype::float64, 0.0, 0)}));
  feed(mt::ndata, with(1, {by_alias(0, 1.0)}));
  CAF_CHECK_EQUAL(updated(), std::vector<std::string>{"Zero"});
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(unknown_alias_requests_rebirth_and_the_rest_still_applies) {
  born_with_device();
  feed(mt::ndata, with(2, {by_alias(99, 1.0), by_alias(1, 2.0), by_alias(98, 3.0)}));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_alias), 1u); // one per message
  CAF_CHECK_EQUAL(session.counters().fault_count(fault_kind::unknown_alias), 1u);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::unknown_alias);
}

CAF_TEST(unknown_metric_name_requests_rebirth_and_the_rest_still_applies) {
  born_with_device();
  feed(mt::ndata, with(2, {by_name("Nope", 1.0), by_name("Temp", 2.0)}));
  CAF_CHECK_EQUAL(updated(), std::vector<std::string>{"Temp"});
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_metric), 1u);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::unknown_metric);
}

CAF_TEST(data_metric_without_name_or_alias_counts_as_unknown) {
  born_with_device();
  metric anonymous;
  anonymous.val = 1.0;
  feed(mt::ndata, with(2, {anonymous}));
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_metric), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
}

CAF_TEST(unknown_alias_with_a_known_name_applies_by_name_and_requests_rebirth) {
  born_with_device();
  auto m = by_alias(55, 4.0);
  m.name = "Temp";
  feed(mt::ndata, with(2, {m}));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{4.0});
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_alias), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
}

CAF_TEST(device_alias_is_unknown_in_node_data) {
  born_with_device();
  feed(mt::ndata, with(2, {by_alias(10, uint64_t{1})}));
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_alias), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
}

CAF_TEST(metric_name_of_another_device_is_unknown) {
  born_with_device();
  feed(mt::dbirth, with(2, {def("Flow", datatype::float64, 0.5, 20)}), "D2");
  feed(mt::ddata, with(3, {by_name("Level", uint64_t{1})}), "D2");
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_metric), 1u);
}

CAF_TEST(duplicate_alias_in_nbirth_requests_rebirth) {
  feed(mt::nbirth, nbirth(1, 0, {def("A", datatype::float64, 1.0, 5),
                                 def("B", datatype::float64, 2.0, 5)}));
  CAF_CHECK(session.online());
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_alias), 1u);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::duplicate_alias);
  // Both values of the birth are kept; the alias stays with its first owner.
  CAF_CHECK_EQUAL(doubles(), (std::vector<double>{1.0, 2.0}));
  feed(mt::ndata, with(1, {by_alias(5, 3.0)}));
  CAF_CHECK_EQUAL(updated(), std::vector<std::string>{"A"});
}

CAF_TEST(alias_of_the_node_reused_in_a_dbirth_requests_rebirth) {
  born_with_device();
  feed(mt::dbirth, with(2, {def("Flow", datatype::float64, 0.5, 1)}), "D2");
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_alias), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
  CAF_CHECK(session.device("D2")->online);
}

CAF_TEST(alias_of_one_device_reused_by_another_requests_rebirth) {
  born_with_device();
  feed(mt::dbirth, with(2, {def("Flow", datatype::float64, 0.5, 10)}), "D2");
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_alias), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
}

CAF_TEST(repeated_dbirth_replaces_the_device_aliases) {
  born_with_device();
  feed(mt::dbirth, with(2, {def("Level2", datatype::int32, int64_t{1}, 10),
                            def("Level", datatype::int32, int64_t{1}, 11)}),
       "D1");
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
  feed(mt::ddata, with(3, {by_alias(10, uint64_t{7}), by_alias(11, uint64_t{8})}), "D1");
  CAF_CHECK_EQUAL(updated(), (std::vector<std::string>{"Level2", "Level"}));
}

CAF_TEST(aliases_freed_by_a_dead_device_stay_reserved_until_the_next_nbirth) {
  born_with_device();
  feed(mt::ddeath, ddeath(2, birth_ms), "D1");
  feed(mt::dbirth, with(3, {def("Flow", datatype::float64, 0.5, 10)}), "D2");
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_alias), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
