#define CAF_SUITE pipeline_backlog
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "common/pipeline_backlog.hpp"

using floe::backlog_ticket;
using floe::pipeline_backlog;

CAF_TEST(a_ticket_counts_its_bytes_until_it_is_destroyed) {
  auto b = std::make_shared<pipeline_backlog>(0);
  {
    backlog_ticket t{b, 300};
    CAF_CHECK_EQUAL(b->bytes(), 300u);
    backlog_ticket u{b, 200};
    CAF_CHECK_EQUAL(b->bytes(), 500u);
  }
  CAF_CHECK_EQUAL(b->bytes(), 0u);
}

CAF_TEST(a_moved_ticket_carries_its_weight_and_a_copy_weighs_nothing) {
  auto b = std::make_shared<pipeline_backlog>(0);
  std::vector<backlog_ticket> held;
  {
    backlog_ticket t{b, 100};
    held.push_back(std::move(t));
    CAF_CHECK_EQUAL(t.bytes(), 0u);
    CAF_CHECK_EQUAL(b->bytes(), 100u);
  }
  CAF_CHECK_EQUAL(b->bytes(), 100u); // the moved-from ticket gave nothing back
  {
    backlog_ticket copy = held.front();
    CAF_CHECK_EQUAL(copy.bytes(), 0u);
    CAF_CHECK_EQUAL(b->bytes(), 100u);
  }
  CAF_CHECK_EQUAL(b->bytes(), 100u); // nor did the copy
  backlog_ticket other{b, 40};
  other = std::move(held.front()); // releases its own 40, takes the 100
  CAF_CHECK_EQUAL(b->bytes(), 100u);
  held.clear();
  other.release();
  CAF_CHECK_EQUAL(b->bytes(), 0u);
  other.release(); // twice is harmless
  CAF_CHECK_EQUAL(b->bytes(), 0u);
}

CAF_TEST(a_ticket_without_a_backlog_counts_nowhere) {
  backlog_ticket t{nullptr, 1000};
  CAF_CHECK_EQUAL(t.bytes(), 0u);
}

CAF_TEST(below_the_limit_there_is_no_wait) {
  auto b = std::make_shared<pipeline_backlog>(1000);
  backlog_ticket t{b, 999};
  CAF_CHECK_EQUAL(b->wait_for_room(), 0u);
  CAF_CHECK_EQUAL(b->stalls(), 0u);
}

CAF_TEST(without_a_limit_a_full_backlog_does_not_wait) {
  auto b = std::make_shared<pipeline_backlog>(0);
  backlog_ticket t{b, uint64_t{1} << 40};
  CAF_CHECK_EQUAL(b->wait_for_room(), 0u);
  CAF_CHECK_EQUAL(b->stalls(), 0u);
}

CAF_TEST(at_the_limit_the_wait_lasts_until_tickets_are_given_back) {
  auto b = std::make_shared<pipeline_backlog>(1000);
  auto t = std::make_unique<backlog_ticket>(b, 1000);
  std::atomic<bool> released{false};
  std::thread worker{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    released = true;
    t.reset();
  }};
  b->wait_for_room();
  // Whatever the machine's timing: the wait ended only once the ticket was gone.
  CAF_CHECK(released.load());
  CAF_CHECK_LESS(b->bytes(), 1000u);
  CAF_CHECK_EQUAL(b->stalls(), 1u);
  worker.join();
}
