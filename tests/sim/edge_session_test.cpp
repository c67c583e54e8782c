#define CAF_SUITE sim_edge_session
#include <caf/test/unit_test.hpp>

#include "sim/edge_session.hpp"

using namespace floe::sim;

CAF_TEST(bdseq_starts_at_zero_and_increments_per_connect_wrapping_at_256) {
  edge_session s{false};
  CAF_CHECK_EQUAL(s.begin_connect(), 0);
  CAF_CHECK_EQUAL(s.begin_connect(), 1);
  for (int i = 2; i < 255; ++i)
    s.begin_connect();
  CAF_CHECK_EQUAL(s.begin_connect(), 255);
  CAF_CHECK_EQUAL(s.begin_connect(), 0);
  CAF_CHECK_EQUAL(s.connects(), 257u);
}

CAF_TEST(without_primary_host_births_follow_the_connect) {
  edge_session s{false};
  s.begin_connect();
  CAF_CHECK(s.phase() == session_phase::connecting);
  CAF_CHECK(s.connected());
  CAF_CHECK_EQUAL(s.begin_birth(), 0);
  CAF_CHECK(s.phase() == session_phase::online);
  CAF_CHECK(s.accepts_rebirth());
  // A second "connected" for the same CONNECT changes nothing.
  CAF_CHECK(!s.connected());
}

CAF_TEST(seq_is_one_counter_from_nbirth_that_wraps_after_255) {
  edge_session s{false};
  s.begin_connect();
  s.connected();
  CAF_CHECK_EQUAL(s.begin_birth(), 0);
  for (int expected = 1; expected <= 255; ++expected)
    CAF_REQUIRE_EQUAL(s.next_seq(), expected);
  CAF_CHECK_EQUAL(s.next_seq(), 0);
  CAF_CHECK_EQUAL(s.next_seq(), 1);
}

CAF_TEST(rebirth_restarts_seq_and_keeps_bdseq) {
  edge_session s{false};
  s.begin_connect();
  s.begin_connect();
  s.connected();
  s.begin_birth();
  for (int i = 0; i < 40; ++i)
    s.next_seq();
  CAF_REQUIRE(s.accepts_rebirth());
  CAF_CHECK_EQUAL(s.begin_birth(), 0);
  CAF_CHECK_EQUAL(s.next_seq(), 1);
  CAF_CHECK_EQUAL(s.bdseq(), 1);
}

CAF_TEST(skipped_and_returned_seq_numbers) {
  edge_session s{false};
  s.begin_connect();
  s.connected();
  s.begin_birth();
  CAF_CHECK_EQUAL(s.next_seq(), 1);
  s.skip_seq();
  CAF_CHECK_EQUAL(s.next_seq(), 3);
  s.return_seq(); // 3 was not sent after all
  CAF_CHECK_EQUAL(s.next_seq(), 3);
}

CAF_TEST(connection_loss_stops_rebirths_until_the_next_birth) {
  edge_session s{false};
  s.begin_connect();
  s.connected();
  s.begin_birth();
  s.disconnected();
  CAF_CHECK(!s.accepts_rebirth());
  CAF_CHECK(!s.connected_now());
  CAF_CHECK_EQUAL(s.begin_connect(), 1);
}

CAF_TEST(primary_host_births_wait_for_its_online_state) {
  edge_session s{true};
  s.begin_connect();
  CAF_CHECK(!s.connected());
  CAF_CHECK(s.phase() == session_phase::awaiting_host);
  CAF_CHECK(!s.accepts_rebirth());
  CAF_CHECK(s.host_state(false, 100) == host_reaction::none);
  CAF_CHECK(s.host_state(true, 200) == host_reaction::birth);
  s.begin_birth();
  // The same online STATE again (a re-assert) is no reason for new births.
  CAF_CHECK(s.host_state(true, 200) == host_reaction::none);
}

CAF_TEST(primary_host_state_seen_before_the_suback_allows_births_at_once) {
  edge_session s{true};
  s.begin_connect();
  CAF_CHECK(s.host_state(true, 500) == host_reaction::none); // retained STATE came first
  CAF_CHECK(s.connected());
}

CAF_TEST(primary_host_offline_ends_the_session_and_older_states_are_ignored) {
  edge_session s{true};
  s.begin_connect();
  s.connected();
  CAF_REQUIRE(s.host_state(true, 1000) == host_reaction::birth);
  s.begin_birth();
  // The death of an older host session: ignored.
  CAF_CHECK(s.host_state(false, 999) == host_reaction::none);
  CAF_CHECK(s.phase() == session_phase::online);
  // The host's Will carries its birth timestamp: equal counts.
  CAF_CHECK(s.host_state(false, 1000) == host_reaction::go_offline);
  s.disconnected();
  // Next session: the retained offline STATE, then an older online one (stale), then the
  // host's new birth.
  s.begin_connect();
  s.connected();
  CAF_CHECK(s.host_state(false, 1000) == host_reaction::none);
  CAF_CHECK(s.host_state(true, 900) == host_reaction::none);
  CAF_CHECK(s.host_state(true, 2000) == host_reaction::birth);
}

CAF_TEST(every_connection_must_see_the_host_online_again) {
  edge_session s{true};
  s.begin_connect();
  s.connected();
  CAF_REQUIRE(s.host_state(true, 1000) == host_reaction::birth);
  s.begin_birth();
  s.disconnected();
  s.begin_connect();
  CAF_CHECK(!s.connected());
  CAF_CHECK(s.host_state(true, 1000) == host_reaction::birth);
}

CAF_TEST(state_is_ignored_without_a_primary_host) {
  edge_session s{false};
  s.begin_connect();
  s.connected();
  s.begin_birth();
  CAF_CHECK(s.host_state(false, 5) == host_reaction::none);
  CAF_CHECK(s.phase() == session_phase::online);
}
