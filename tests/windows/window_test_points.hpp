#pragma once
// Points, configurations and a feed for the window suites.

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "actors/windows/raw_point_source.hpp"
#include "actors/windows/series_windows.hpp"
#include "actors/windows/window_types.hpp"

namespace floe::windows::testing {

inline sample num(uint64_t series, int64_t ts, double value, uint16_t seq = 0) {
  sample s;
  s.series_id = series;
  s.timestamp_ms = ts;
  s.seq = seq;
  s.kind = value_kind::numeric;
  s.number = value;
  return s;
}

inline sample flag(uint64_t series, int64_t ts, bool value, uint16_t seq = 0) {
  sample s;
  s.series_id = series;
  s.timestamp_ms = ts;
  s.seq = seq;
  s.kind = value_kind::boolean;
  s.flag = value;
  return s;
}

inline sample text(uint64_t series, int64_t ts, std::string value, uint16_t seq = 0) {
  sample s;
  s.series_id = series;
  s.timestamp_ms = ts;
  s.seq = seq;
  s.kind = value_kind::string;
  s.text = std::move(value);
  return s;
}

inline sample historical(sample s) {
  s.historical = true;
  return s;
}

// Widths 10 s and 1 min, lateness 5 s.
inline window_config test_config(int64_t rebuild_reemit_ms = 0) {
  return *make_window_config({10'000, 60'000}, 5'000, rebuild_reemit_ms);
}

inline window_config ten_second_config() {
  return *make_window_config({10'000}, 5'000, 0);
}

// Drives one series_windows as the node does: every point reaches the raw source before the
// aggregator sees it (the raw_point_source consistency contract).
struct series_feed {
  memory_point_source raw;
  series_windows windows;
  std::vector<window_result> closed;
  int64_t arrival_ms = 0;

  series_feed(uint64_t id, value_kind kind, window_config cfg = test_config())
    : windows(id, kind, std::move(cfg)) {
  }

  add_report add(const sample& s) {
    raw.put(s);
    return windows.add(s, arrival_ms, raw, closed);
  }

  add_report add_batch(const std::vector<sample>& batch) {
    for (auto& s : batch)
      raw.put(s);
    return windows.add(batch.data(), batch.size(), arrival_ms, raw, closed);
  }
};

using window_id = std::pair<int64_t, int64_t>; // width, start

inline window_id id_of(const window_result& r) {
  return {r.width_ms, r.start_ms};
}

// The last emission of every window, with the recomputed flag cleared (the content is what a
// store keeps after overwriting by key).
inline std::map<window_id, window_result> latest_by_window(const std::vector<window_result>& v) {
  std::map<window_id, window_result> out;
  for (auto r : v) {
    r.recomputed = false;
    out[id_of(r)] = std::move(r);
  }
  return out;
}

inline const window_result* find_window(const std::vector<window_result>& v, int64_t width,
                                        int64_t start) {
  const window_result* found = nullptr;
  for (auto& r : v)
    if (r.width_ms == width && r.start_ms == start)
      found = &r;
  return found;
}

inline size_t emissions_of(const std::vector<window_result>& v, int64_t width, int64_t start) {
  return static_cast<size_t>(std::count_if(v.begin(), v.end(), [&](const window_result& r) {
    return r.width_ms == width && r.start_ms == start;
  }));
}

} // namespace floe::windows::testing
