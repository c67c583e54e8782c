#define CAF_SUITE series_windows_property
#include <caf/test/unit_test.hpp>

#include <rapidcheck.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "actors/windows/series_windows.hpp"
#include "window_test_points.hpp"

using namespace floe::windows;
using namespace floe::windows::testing;

// Arrival order never changes the windows: within the lateness they come out exactly as for
// sorted input, and with any order (late points, duplicates) the last emission of every window
// equals the sorted result.

namespace {

constexpr int64_t lateness_ms = 5'000;

// Distinct points (one value per identity) of one random kind.
std::vector<sample> any_points() {
  auto kind = static_cast<value_kind>(*rc::gen::inRange(0, 3));
  auto n = *rc::gen::inRange(1, 60);
  std::map<std::pair<int64_t, uint16_t>, sample> by_key;
  for (int i = 0; i < n; ++i) {
    auto ts = static_cast<int64_t>(*rc::gen::inRange(0, 150'000));
    auto seq = static_cast<uint16_t>(*rc::gen::inRange(0, 3));
    auto v = *rc::gen::inRange(-800, 800);
    sample s;
    switch (kind) {
      case value_kind::numeric:
        s = num(1, ts, v / 8.0, seq);
        break;
      case value_kind::boolean:
        s = flag(1, ts, v > 0, seq);
        break;
      case value_kind::string:
        s = text(1, ts, std::string(1, static_cast<char>('a' + (v & 3))), seq);
        break;
    }
    by_key.emplace(std::make_pair(ts, seq), s);
  }
  std::vector<sample> out;
  for (auto& entry : by_key)
    out.push_back(entry.second);
  return out; // sorted by (timestamp, seq)
}

std::vector<window_result> run_feed(const std::vector<sample>& arrivals, value_kind kind,
                                    uint32_t* late = nullptr) {
  series_feed f{1, kind, *make_window_config({10'000, 60'000}, lateness_ms, 0)};
  for (auto& p : arrivals) {
    auto report = f.add(p);
    RC_ASSERT(report.rejected == 0u);
    RC_ASSERT(report.recompute_failures == 0u);
    if (late != nullptr)
      *late += report.late;
  }
  f.windows.close_all(f.closed);
  RC_ASSERT(f.windows.open_window_count() == 0u);
  return f.closed;
}

std::vector<window_result> by_window(std::vector<window_result> v) {
  std::sort(v.begin(), v.end(), [](const window_result& a, const window_result& b) {
    return id_of(a) < id_of(b);
  });
  return v;
}

} // namespace

CAF_TEST(any_order_within_lateness_gives_the_sorted_windows) {
  bool ok = rc::check("arrival jitter <= lateness changes nothing", [] {
    auto sorted = any_points();
    auto kind = sorted.front().kind;
    // Arrival order by (event time + jitter), jitter in [0, lateness]: no point is ever late.
    std::vector<std::pair<int64_t, size_t>> order;
    for (size_t i = 0; i < sorted.size(); ++i)
      order.emplace_back(sorted[i].timestamp_ms + *rc::gen::inRange<int64_t>(0, lateness_ms + 1),
                         i);
    std::sort(order.begin(), order.end());
    std::vector<sample> arrivals;
    for (auto& o : order)
      arrivals.push_back(sorted[o.second]);
    uint32_t late = 0;
    auto got = run_feed(arrivals, kind, &late);
    RC_ASSERT(late == 0u);
    auto expected = run_feed(sorted, kind);
    RC_ASSERT(by_window(got) == by_window(expected));
  });
  CAF_CHECK(ok);
}

CAF_TEST(any_order_with_late_and_repeated_points_ends_at_the_sorted_windows) {
  bool ok = rc::check("last emission per window equals the sorted result", [] {
    auto sorted = any_points();
    auto kind = sorted.front().kind;
    std::vector<sample> arrivals = sorted;
    auto repeats = *rc::gen::inRange(0, 10);
    for (int i = 0; i < repeats; ++i)
      arrivals.push_back(sorted[static_cast<size_t>(
        *rc::gen::inRange<int>(0, static_cast<int>(sorted.size())))]);
    // A random permutation.
    for (size_t i = arrivals.size(); i > 1; --i)
      std::swap(arrivals[i - 1],
                arrivals[static_cast<size_t>(*rc::gen::inRange<int>(0, static_cast<int>(i)))]);
    auto got = latest_by_window(run_feed(arrivals, kind));
    auto expected = latest_by_window(run_feed(sorted, kind));
    RC_ASSERT(got == expected);
  });
  CAF_CHECK(ok);
}
