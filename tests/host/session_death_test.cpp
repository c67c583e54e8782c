#define CAF_SUITE session_death
#include <caf/test/unit_test.hpp>

#include "session_fixture.hpp"

using namespace floe::host;
using namespace floe::host::test;

CAF_TEST_FIXTURE_SCOPE(session_death_tests, session_fixture)

CAF_TEST(ndeath_with_the_session_bdseq_takes_node_and_devices_offline_at_arrival) {
  born_with_device();
  feed(mt::dbirth, with(2, {def("Flow", datatype::float64, 0.5, 20)}), "D2");
  now += 1234;
  feed(mt::ndeath, ndeath(7));
  CAF_CHECK(!session.online());
  auto node = all<node_offline>();
  CAF_REQUIRE_EQUAL(node.size(), 1u);
  CAF_CHECK(node[0].reason == offline_reason::ndeath);
  CAF_CHECK_EQUAL(node[0].timestamp, now);
  auto devices = all<device_offline>();
  CAF_REQUIRE_EQUAL(devices.size(), 2u);
  CAF_CHECK_EQUAL(devices[0].device, "D1");
  CAF_CHECK_EQUAL(devices[1].device, "D2");
  CAF_CHECK(devices[0].reason == offline_reason::ndeath);
  CAF_CHECK_EQUAL(devices[1].timestamp, now);
  CAF_CHECK(!session.device("D1")->online);
  CAF_CHECK(!session.device("D2")->online);
  CAF_CHECK_EQUAL(session.view().offline_timestamp, now);
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(stale_ndeath_with_an_old_bdseq_is_ignored) {
  born_with_device();
  feed(mt::ndeath, ndeath(6));
  CAF_CHECK(session.online());
  CAF_CHECK(session.device("D1")->online);
  CAF_CHECK_EQUAL(count<node_offline>(), 0u);
  CAF_CHECK_EQUAL(count<device_offline>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::stale_ndeath), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  // The session goes on undisturbed.
  feed(mt::ndata, temp(2, 2.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
}

CAF_TEST(late_will_of_the_previous_connection_after_a_new_nbirth_is_ignored) {
  feed(mt::nbirth, nbirth(3, 0));
  feed(mt::nbirth, nbirth(4, 0)); // reconnected before the broker sent the old Will
  feed(mt::ndeath, ndeath(3));
  CAF_CHECK(session.online());
  CAF_CHECK_EQUAL(faults_of(fault_kind::stale_ndeath), 1u);
  feed(mt::ndeath, ndeath(4));
  CAF_CHECK(!session.online());
}

CAF_TEST(ndeath_without_bdseq_does_not_end_a_session_that_has_one) {
  born_with_device();
  payload p;
  feed(mt::ndeath, std::move(p));
  CAF_CHECK(session.online());
  CAF_CHECK_EQUAL(faults_of(fault_kind::stale_ndeath), 1u);
}

CAF_TEST(session_without_bdseq_accepts_any_ndeath) {
  auto p = nbirth(0, 0);
  p.metrics.erase(p.metrics.begin());
  feed(mt::nbirth, std::move(p));
  feed(mt::ndeath, ndeath(12));
  CAF_CHECK(!session.online());
  CAF_CHECK_EQUAL(count<node_offline>(), 1u);
}

CAF_TEST(second_ndeath_with_the_same_bdseq_is_ignored) {
  born_with_device();
  feed(mt::ndeath, ndeath(7));
  feed(mt::ndeath, ndeath(7)); // the explicit NDEATH, then the Will
  CAF_CHECK_EQUAL(count<node_offline>(), 0u);
  CAF_CHECK_EQUAL(count<device_offline>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::stale_ndeath), 1u);
}

CAF_TEST(ndeath_before_any_birth_is_ignored) {
  feed(mt::ndeath, ndeath(0));
  CAF_CHECK(!session.online());
  CAF_CHECK_EQUAL(count<node_offline>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::stale_ndeath), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
}

CAF_TEST(new_nbirth_after_ndeath_brings_the_node_back) {
  born_with_device();
  feed(mt::ndeath, ndeath(7));
  feed(mt::nbirth, nbirth(8, 0, {def("Temp", datatype::float64, 1.0, 1)}));
  CAF_CHECK(session.online());
  CAF_CHECK_EQUAL(session.bdseq(), std::optional<uint64_t>{8});
  CAF_CHECK_EQUAL(count<node_online>(), 1u);
  CAF_CHECK_EQUAL(count<device_offline>(), 0u); // already offline since the NDEATH
  CAF_CHECK(!session.device("D1")->online);
  feed(mt::ndata, temp(1, 1.5));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{1.5});
  feed(mt::dbirth, with(2, {def("Level", datatype::int32, int64_t{3}, 10)}), "D1");
  CAF_CHECK(session.device("D1")->online);
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(data_after_ndeath_requests_a_rebirth) {
  born_with_device();
  feed(mt::ndeath, ndeath(7));
  now += 60'000;
  feed(mt::ndata, temp(2, 2.0));
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::data_before_birth), 1u);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::data_before_birth);
}

CAF_TEST(ndeath_drops_held_messages) {
  born_with_device();
  feed(mt::ndata, temp(5, 5.0));
  feed(mt::ndeath, ndeath(7));
  CAF_CHECK_EQUAL(faults_of(fault_kind::reorder_discarded), 1u);
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK(!session.next_deadline());
  CAF_CHECK_EQUAL(session.counters().dropped, 1u);
}

CAF_TEST(ddeath_marks_its_device_offline_at_the_payload_time_and_only_that_device) {
  born_with_device();
  feed(mt::dbirth, with(2, {def("Flow", datatype::float64, 0.5, 20)}), "D2");
  now += 500;
  feed(mt::ddeath, ddeath(3, birth_ms + 77), "D1");
  auto off = all<device_offline>();
  CAF_REQUIRE_EQUAL(off.size(), 1u);
  CAF_CHECK_EQUAL(off[0].device, "D1");
  CAF_CHECK(off[0].reason == offline_reason::ddeath);
  CAF_CHECK_EQUAL(off[0].timestamp, static_cast<int64_t>(birth_ms + 77));
  CAF_CHECK(!session.device("D1")->online);
  CAF_CHECK(session.device("D2")->online);
  CAF_CHECK(session.online());
  // The other device and the node keep receiving data; the dead one requests a rebirth.
  feed(mt::ddata, with(4, {by_alias(20, 0.75)}), "D2");
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{0.75});
  feed(mt::ndata, temp(5, 5.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{5.0});
  feed(mt::ddata, with(6, {by_alias(10, uint64_t{1})}), "D1");
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(all<rebirth_request>().size(), 1u);
}

CAF_TEST(ddeath_for_a_device_without_dbirth_is_flagged_without_rebirth) {
  born_with_device();
  feed(mt::ddeath, ddeath(2, birth_ms), "Ghost");
  CAF_CHECK_EQUAL(faults_of(fault_kind::device_without_birth), 1u);
  CAF_CHECK_EQUAL(count<device_offline>(), 0u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  CAF_CHECK(session.device("Ghost") == nullptr);
  feed(mt::ndata, temp(3, 3.0)); // its seq still counted
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{3.0});
}

CAF_TEST(mark_offline_releases_node_and_devices) {
  born_with_device();
  feed(mt::ndata, temp(5, 5.0)); // held
  session.mark_offline(now);
  session.take_events(events);
  CAF_CHECK(!session.online());
  auto node = all<node_offline>();
  CAF_REQUIRE_EQUAL(node.size(), 1u);
  CAF_CHECK(node[0].reason == offline_reason::host_released);
  auto devices = all<device_offline>();
  CAF_REQUIRE_EQUAL(devices.size(), 1u);
  CAF_CHECK(devices[0].reason == offline_reason::host_released);
  CAF_CHECK_EQUAL(faults_of(fault_kind::reorder_discarded), 1u);
  CAF_CHECK(!session.next_deadline());
  feed(mt::ndata, temp(6, 6.0));
  CAF_CHECK_EQUAL(faults_of(fault_kind::data_before_birth), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
