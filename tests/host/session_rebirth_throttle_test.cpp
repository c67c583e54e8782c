#define CAF_SUITE session_rebirth_throttle
#include <caf/test/unit_test.hpp>

#include "session_fixture.hpp"

using namespace floe::host;
using namespace floe::host::test;

namespace {
constexpr int64_t interval = defaults::host::rebirth_throttle_ms;
} // namespace

CAF_TEST_FIXTURE_SCOPE(session_rebirth_throttle_tests, session_fixture)

CAF_TEST(rebirth_requests_within_the_interval_are_suppressed_and_counted) {
  feed(mt::ndata, temp(1, 1.0));
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
  for (int i = 0; i < 3; ++i) {
    now += 100;
    feed(mt::ndata, temp(2 + i, 1.0));
    CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  }
  CAF_CHECK_EQUAL(session.counters().rebirths_requested, 1u);
  CAF_CHECK_EQUAL(session.counters().rebirths_suppressed, 3u);
  CAF_CHECK_EQUAL(session.counters().fault_count(fault_kind::data_before_birth), 4u);
}

CAF_TEST(rebirth_is_allowed_again_once_the_interval_has_passed) {
  int64_t first = now;
  feed(mt::ndata, temp(1, 1.0));
  now = first + interval - 1;
  feed(mt::ndata, temp(2, 1.0));
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  now = first + interval;
  feed(mt::ndata, temp(3, 1.0));
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
  CAF_CHECK_EQUAL(session.counters().rebirths_requested, 2u);
}

CAF_TEST(suppressed_rebirth_goes_out_when_the_interval_ends) {
  int64_t first = now;
  feed(mt::ndata, temp(1, 1.0));
  CAF_CHECK(!session.next_deadline());
  now += 10;
  born_with_device();
  feed(mt::ndata, with(2, {by_alias(77, 1.0)})); // unknown alias, throttled
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  CAF_CHECK_EQUAL(session.next_deadline(), std::optional<int64_t>{first + interval});
  tick(first + interval - 1);
  CAF_CHECK(events.empty());
  tick(first + interval);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::unknown_alias);
  CAF_CHECK(!session.next_deadline());
  CAF_CHECK_EQUAL(session.counters().rebirths_requested, 2u);
  CAF_CHECK_EQUAL(session.counters().rebirths_suppressed, 1u);
}

CAF_TEST(nbirth_cancels_a_deferred_rebirth) {
  feed(mt::ndata, temp(1, 1.0));
  now += 10;
  feed(mt::ndata, temp(2, 1.0)); // suppressed, deferred
  CAF_CHECK(session.next_deadline().has_value());
  feed(mt::nbirth, nbirth(1, 0));
  CAF_CHECK(!session.next_deadline());
  tick(now + interval);
  CAF_CHECK(events.empty());
}

CAF_TEST(throttle_is_per_edge_node) {
  edge_node_session other("G", "E2");
  feed(mt::ndata, temp(1, 1.0));
  other.handle(mt::ndata, {}, temp(1, 1.0), now);
  std::vector<session_event> other_events;
  other.take_events(other_events);
  size_t requests = 0;
  for (const auto& e : other_events)
    requests += std::holds_alternative<rebirth_request>(e) ? 1 : 0;
  CAF_CHECK_EQUAL(requests, 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
}

CAF_TEST(host_request_is_throttled_like_the_others) {
  session.request_rebirth("shard taken over", now);
  session.take_events(events);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::host_request);
  CAF_CHECK_EQUAL(rebirths[0].detail, "shard taken over");
  now += 1;
  feed(mt::ndata, temp(1, 1.0));
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  CAF_CHECK_EQUAL(session.counters().rebirths_suppressed, 1u);
}

CAF_TEST(configured_interval_is_used) {
  session_config c;
  c.rebirth_throttle_ms = 100;
  reconfigure(c);
  feed(mt::ndata, temp(1, 1.0));
  now += 100;
  feed(mt::ndata, temp(2, 1.0));
  CAF_CHECK_EQUAL(count<rebirth_request>(), 1u);
}

CAF_TEST(gap_rebirth_inside_the_interval_is_deferred_not_lost) {
  session_config c;
  c.reorder_timeout_ms = 1000;
  reconfigure(c);
  int64_t first = now;
  feed(mt::ndata, temp(1, 1.0)); // data before birth: the first request
  now += 10;
  born_with_device();
  feed(mt::ndata, temp(5, 5.0));
  tick(now + 1000);
  CAF_CHECK_EQUAL(faults_of(fault_kind::seq_gap), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
  CAF_CHECK_EQUAL(session.next_deadline(), std::optional<int64_t>{first + interval});
  tick(first + interval);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::seq_gap);
}

CAF_TEST_FIXTURE_SCOPE_END()
