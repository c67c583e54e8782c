// Memory per series of the windows module: not a test (no assertions, not registered with
// ctest), a helper that prints heap bytes per series measured with glibc's mallinfo2().
//
//   ninja -C build windows_memory_bench && build/tests/windows/windows_memory_bench [series]
//
// Scenarios (default widths 10 s, 1 min, 1 h; lateness 5 s):
//   one_point  every series got one numeric point (it waits in the on-time buffer)
//   steady     every series got 30 numeric points 1 s apart: one open window per width plus
//              about `lateness` of buffered points — what a live device metric looks like
// measured on bare series_windows (held in an exactly reserved vector, so the container's
// storage is sizeof(series_windows) per series) and through a window_aggregator actor (its
// table of series included).

#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/windows/series_windows.hpp"
#include "actors/windows/window_aggregator.hpp"

using namespace floe::windows;

namespace {

size_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

sample numeric_point(uint64_t series, int64_t ts, double value) {
  sample s;
  s.series_id = series;
  s.timestamp_ms = ts;
  s.kind = value_kind::numeric;
  s.number = value;
  return s;
}

constexpr int64_t t0 = 1'700'000'000'000; // event time of the first point (ms)

void bare(size_t n, int points) {
  memory_point_source raw;
  std::vector<window_result> closed;
  auto cfg = default_window_config();
  size_t before = heap_in_use();
  std::vector<series_windows> all;
  all.reserve(n);
  for (size_t i = 0; i < n; ++i)
    all.emplace_back(i, value_kind::numeric, cfg);
  for (int k = 0; k < points; ++k) {
    for (size_t i = 0; i < n; ++i) {
      (void) all[i].add(numeric_point(i, t0 + k * 1000, 0.5 * k + i), k * 1000, raw, closed);
      closed.clear();
    }
  }
  closed.shrink_to_fit();
  size_t after = heap_in_use();
  size_t open = 0, buffered = 0;
  for (auto& s : all) {
    open += s.open_window_count();
    buffered += s.buffered_points();
  }
  std::printf("series_windows  %-9s %8zu series  %7.1f B/series  (sizeof %zu, %.2f open "
              "windows, %.2f buffered points per series)\n",
              points == 1 ? "one_point" : "steady", n,
              static_cast<double>(after - before) / static_cast<double>(n),
              sizeof(series_windows), static_cast<double>(open) / static_cast<double>(n),
              static_cast<double>(buffered) / static_cast<double>(n));
}

struct bench_config : caf::actor_system_config {
  bench_config() {
    add_window_message_types(*this);
  }
};

void through_aggregator(caf::actor_system& sys, size_t n, int points) {
  aggregator_setup setup;
  setup.raw = std::make_shared<memory_point_source>();
  setup.tick_interval_ms = 0;
  setup.fresh_series_from = 0; // all series are new: no rebuild reads
  auto agg = spawn_window_aggregator(sys, std::move(setup));
  if (!agg) {
    std::fprintf(stderr, "spawn failed\n");
    std::exit(1);
  }
  caf::scoped_actor self{sys};
  auto sync = [&] {
    aggregator_stats stats;
    self->request(*agg, caf::infinite, stats_atom::value)
      .receive([&](const aggregator_stats& s) { stats = s; },
               [&](const caf::error&) { std::exit(1); });
    return stats;
  };
  sync();
  size_t before = heap_in_use();
  for (int k = 0; k < points; ++k) {
    point_batch batch;
    batch.points.reserve(n);
    for (size_t i = 0; i < n; ++i)
      batch.points.push_back(numeric_point(i, t0 + k * 1000, 0.5 * k + i));
    self->send(*agg, std::move(batch));
    sync();
  }
  auto stats = sync();
  size_t after = heap_in_use();
  std::printf("aggregator      %-9s %8zu series  %7.1f B/series  (%.2f open windows per "
              "series)\n",
              points == 1 ? "one_point" : "steady", static_cast<size_t>(stats.series),
              static_cast<double>(after - before) / static_cast<double>(n),
              static_cast<double>(stats.open_windows) / static_cast<double>(n));
  self->send_exit(*agg, caf::exit_reason::user_shutdown);
  self->wait_for(*agg); // its state is freed before the next measurement starts
}

} // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  bare(n, 1);
  bare(n, 30);
  bench_config cfg;
  caf::actor_system sys{cfg};
  through_aggregator(sys, n, 1);
  through_aggregator(sys, n, 30);
  return 0;
}
