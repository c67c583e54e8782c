// floe-actor-floor-bench: heap bytes per CAF 0.17 actor before any application state, the floor
// under "one actor per device" (docs/decisions.md D25). Spawns N typed stateful actors whose
// state is one int, sends each one message (so mailbox and behavior are set up as in use),
// waits for them to handle it, and prints (heap in use after - before) / N from glibc
// mallinfo2. Figures only, no assertions.
//
// Usage: floe-actor-floor-bench [actors (default 100000)]

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace {

using probe_actor = caf::typed_actor<caf::reacts_to<int>>;

struct probe_state {
  int received = 0;
};

std::atomic<int> handled{0};

probe_actor::behavior_type probe(probe_actor::stateful_pointer<probe_state> self) {
  return {[=](int v) {
    self->state.received += v;
    handled.fetch_add(1, std::memory_order_relaxed);
  }};
}

size_t heap_in_use() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

} // namespace

int main(int argc, char** argv) {
  long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100'000;
  if (n <= 0) {
    std::fprintf(stderr, "usage: floe-actor-floor-bench [actors > 0]\n");
    return 2;
  }
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  std::vector<probe_actor> actors;
  actors.reserve(static_cast<size_t>(n));
  auto before = heap_in_use();
  for (long i = 0; i < n; ++i)
    actors.push_back(sys.spawn(probe));
  for (auto& a : actors)
    caf::anon_send(a, 1);
  while (handled.load() < n)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto after = heap_in_use();
  std::printf("floe-actor-floor-bench: %ld typed stateful actors (state: one int), one message "
              "each: %.0f heap bytes per actor (glibc mallinfo2)\n",
              n, static_cast<double>(after - before) / static_cast<double>(n));
  for (auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return 0;
}
