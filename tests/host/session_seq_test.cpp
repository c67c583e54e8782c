#define CAF_SUITE session_seq
#include <caf/test/unit_test.hpp>

#include "session_fixture.hpp"

using namespace floe::host;
using namespace floe::host::test;

CAF_TEST_FIXTURE_SCOPE(session_seq_tests, session_fixture)

CAF_TEST(in_order_messages_apply_at_once) {
  born_with_device();
  feed(mt::ndata, temp(2, 1.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{1.0});
  feed(mt::ndata, temp(3, 2.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  CAF_CHECK(session.last_seq() == std::optional<uint8_t>{3});
  CAF_CHECK(!session.next_deadline());
  CAF_CHECK_EQUAL(session.counters().fault_count(fault_kind::duplicate_seq), 0u);
}

CAF_TEST(seq_wraps_from_255_to_0) {
  feed(mt::nbirth, nbirth(1, 254, {def("Temp", datatype::float64, 0.0, 1)}));
  feed(mt::ndata, temp(255, 1.0));
  feed(mt::ndata, temp(0, 2.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  feed(mt::ndata, temp(1, 3.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{3.0});
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
  CAF_CHECK(!session.next_deadline());
}

CAF_TEST(seq_is_one_counter_across_node_and_device_messages) {
  born_with_device();                                                          // 0, 1
  feed(mt::ndata, temp(2, 1.0));                                               // NDATA
  feed(mt::ddata, with(3, {by_alias(10, uint64_t{4})}), "D1");                 // DDATA
  feed(mt::dbirth, with(4, {def("Flow", datatype::float64, 0.5, 20)}), "D2"); // DBIRTH
  feed(mt::ddeath, ddeath(5, birth_ms + 9), "D2");                             // DDEATH
  feed(mt::ndata, temp(6, 2.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  CAF_CHECK_EQUAL(session.counters().fault_count(fault_kind::duplicate_seq), 0u);
  CAF_CHECK_EQUAL(session.counters().reordered, 0u);
  CAF_CHECK(!session.next_deadline());
}

CAF_TEST(message_ahead_of_expected_is_held_until_the_gap_fills) {
  born_with_device();
  feed(mt::ndata, temp(3, 3.0));
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(session.view().held_messages, 1u);
  feed(mt::ndata, temp(4, 4.0));
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  feed(mt::ndata, temp(2, 2.0));
  CAF_CHECK_EQUAL(doubles(), (std::vector<double>{2.0, 3.0, 4.0}));
  CAF_CHECK_EQUAL(session.counters().reordered, 2u);
  CAF_CHECK(session.last_seq() == std::optional<uint8_t>{4});
  CAF_CHECK(!session.next_deadline());
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(reorder_within_the_timeout_requests_no_rebirth) {
  born_with_device();
  feed(mt::ndata, temp(3, 3.0));
  CAF_REQUIRE(session.next_deadline());
  tick(*session.next_deadline() - 1);
  CAF_CHECK(events.empty());
  feed(mt::ndata, temp(2, 2.0));
  CAF_CHECK_EQUAL(doubles(), (std::vector<double>{2.0, 3.0}));
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  CAF_CHECK_EQUAL(session.counters().rebirths_requested, 0u);
  CAF_CHECK(!session.next_deadline());
}

CAF_TEST(next_deadline_is_the_first_held_arrival_plus_reorder_timeout) {
  born_with_device();
  int64_t first = now;
  feed(mt::ndata, temp(4, 4.0));
  now += 1000;
  feed(mt::ndata, temp(5, 5.0));
  CAF_CHECK_EQUAL(session.next_deadline(),
                  std::optional<int64_t>{first + defaults::host::reorder_timeout_ms});
}

CAF_TEST(seq_gap_past_reorder_timeout_requests_rebirth) {
  born_with_device();
  feed(mt::ndata, temp(4, 4.0));
  feed(mt::ndata, temp(3, 3.0)); // 2 is missing
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  tick(*session.next_deadline());
  // The gap is reported, the held values still arrive in seq order, then a rebirth.
  CAF_REQUIRE_EQUAL(events.size(), 4u);
  const auto* gap = std::get_if<protocol_fault>(&events[0]);
  CAF_REQUIRE(gap != nullptr);
  CAF_CHECK(gap->kind == fault_kind::seq_gap);
  CAF_CHECK_EQUAL(doubles(), (std::vector<double>{3.0, 4.0}));
  const auto* rebirth = std::get_if<rebirth_request>(&events[3]);
  CAF_REQUIRE(rebirth != nullptr);
  CAF_CHECK(rebirth->reason == rebirth_reason::seq_gap);
  CAF_CHECK_EQUAL(session.counters().gaps, 1u);
  CAF_CHECK_EQUAL(session.counters().rebirths_requested, 1u);
  CAF_CHECK(session.last_seq() == std::optional<uint8_t>{4});
  CAF_CHECK(!session.next_deadline());
  // The stream goes on from the applied messages.
  feed(mt::ndata, temp(5, 5.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{5.0});
}

CAF_TEST(given_up_gap_applies_held_messages_across_several_holes_and_the_wrap) {
  feed(mt::nbirth, nbirth(1, 250, {def("Temp", datatype::float64, 0.0, 1)}));
  feed(mt::ndata, temp(1, 1.0));   // 251..0 missing
  feed(mt::ndata, temp(253, 253.0)); // 251, 252 missing
  feed(mt::ndata, temp(254, 254.0));
  tick(*session.next_deadline());
  CAF_CHECK_EQUAL(doubles(), (std::vector<double>{253.0, 254.0, 1.0}));
  CAF_CHECK_EQUAL(session.counters().gaps, 2u);
  CAF_CHECK(session.last_seq() == std::optional<uint8_t>{1});
}

CAF_TEST(late_message_after_a_given_up_gap_is_dropped_as_behind) {
  born_with_device();
  feed(mt::ndata, temp(3, 3.0));
  tick(*session.next_deadline());
  feed(mt::ndata, temp(2, 2.0));
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_seq), 1u);
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
}

CAF_TEST(duplicate_seq_is_dropped_with_a_fault) {
  born_with_device();
  feed(mt::ndata, temp(2, 2.0));
  feed(mt::ndata, temp(2, 2.5));
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_seq), 1u);
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  CAF_CHECK_EQUAL(session.counters().dropped, 1u);
  CAF_CHECK(!session.next_deadline());
}

CAF_TEST(old_seq_is_dropped_with_a_fault) {
  born_with_device();
  for (uint64_t s = 2; s < 40; ++s)
    feed(mt::ndata, temp(s, double(s)));
  feed(mt::ndata, temp(10, 10.0));
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_seq), 1u);
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
}

CAF_TEST(seq_already_held_is_dropped_with_a_fault) {
  born_with_device();
  feed(mt::ndata, temp(5, 5.0));
  feed(mt::ndata, temp(5, 5.5));
  CAF_CHECK_EQUAL(faults_of(fault_kind::duplicate_seq), 1u);
  CAF_CHECK_EQUAL(session.view().held_messages, 1u);
}

CAF_TEST(full_reorder_buffer_gives_the_gap_up_at_once) {
  session_config c;
  c.reorder_buffer_max = 2;
  reconfigure(c);
  born_with_device();
  feed(mt::ndata, temp(4, 4.0));
  feed(mt::ndata, temp(3, 3.0));
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  feed(mt::ndata, temp(6, 6.0)); // third held message: 2 and 5 are given up
  CAF_CHECK_EQUAL(faults_of(fault_kind::reorder_overflow), 1u);
  CAF_CHECK_EQUAL(doubles(), (std::vector<double>{3.0, 4.0, 6.0}));
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::reorder_overflow);
  CAF_CHECK_EQUAL(session.counters().gaps, 2u);
  CAF_CHECK(!session.next_deadline());
}

CAF_TEST(reordering_off_gives_every_gap_up_at_once) {
  session_config c;
  c.reorder_buffer_max = 0;
  reconfigure(c);
  born_with_device();
  feed(mt::ndata, temp(3, 3.0));
  CAF_CHECK_EQUAL(faults_of(fault_kind::seq_gap), 1u);
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{3.0});
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
  CAF_CHECK(!session.next_deadline());
}

CAF_TEST(message_without_seq_is_applied_and_flagged) {
  born_with_device();
  auto p = temp(0, 7.0);
  p.seq.reset();
  feed(mt::ndata, std::move(p));
  CAF_CHECK_EQUAL(faults_of(fault_kind::invalid_seq), 1u);
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{7.0});
  feed(mt::ndata, temp(2, 2.0)); // the seq stream is untouched
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  feed(mt::ndata, temp(300, 1.0));
  CAF_CHECK_EQUAL(faults_of(fault_kind::invalid_seq), 1u);
}

CAF_TEST(held_message_without_timestamp_keeps_its_arrival_time) {
  born_with_device();
  auto p = temp(3, 3.0);
  p.timestamp.reset();
  int64_t arrival = now;
  feed(mt::ndata, std::move(p));
  now += 2000;
  feed(mt::ndata, temp(2, 2.0));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 2u);
  CAF_CHECK_EQUAL(values[1].timestamp, arrival);
}

CAF_TEST(held_device_messages_apply_in_order_including_births_and_deaths) {
  born_with_device();
  feed(mt::ddeath, ddeath(4, birth_ms + 40), "D2");
  feed(mt::dbirth, with(3, {def("Flow", datatype::float64, 0.5, 20)}), "D2");
  CAF_CHECK(session.device("D2") == nullptr);
  feed(mt::ndata, temp(2, 2.0));
  CAF_CHECK_EQUAL(count<device_online>(), 1u);
  CAF_CHECK_EQUAL(count<device_offline>(), 1u);
  CAF_REQUIRE(session.device("D2") != nullptr);
  CAF_CHECK(!session.device("D2")->online);
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(nbirth_drops_messages_held_for_the_old_session) {
  born_with_device();
  feed(mt::ndata, temp(5, 5.0));
  feed(mt::nbirth, nbirth(7, 0, {def("Temp", datatype::float64, 1.0, 1)}));
  CAF_CHECK_EQUAL(faults_of(fault_kind::reorder_discarded), 1u);
  CAF_CHECK_EQUAL(session.view().held_messages, 0u);
  CAF_CHECK(!session.next_deadline());
  feed(mt::ndata, temp(1, 1.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{1.0});
}

CAF_TEST(clock_stepping_back_restarts_the_reorder_timeout) {
  born_with_device();
  feed(mt::ndata, temp(3, 3.0));
  tick(now - 60'000);
  CAF_CHECK(events.empty());
  CAF_CHECK_EQUAL(session.next_deadline(),
                  std::optional<int64_t>{now + defaults::host::reorder_timeout_ms});
  tick(*session.next_deadline());
  CAF_CHECK_EQUAL(faults_of(fault_kind::seq_gap), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
