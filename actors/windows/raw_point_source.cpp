#include "actors/windows/raw_point_source.hpp"

#include <limits>

namespace floe::windows {

raw_point_source::~raw_point_source() = default;

void memory_point_source::put(const sample& s) {
  std::lock_guard<std::mutex> guard{mtx_};
  points_[key{s.series_id, s.timestamp_ms, s.seq}] = s;
}

size_t memory_point_source::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return points_.size();
}

result<std::vector<sample>, errc> memory_point_source::points(uint64_t series_id,
                                                              int64_t from_ms, int64_t to_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<sample> out;
  if (from_ms >= to_ms)
    return out;
  auto first = points_.lower_bound(key{series_id, from_ms, 0});
  auto last = points_.lower_bound(key{series_id, to_ms, 0});
  for (auto i = first; i != last; ++i)
    out.push_back(i->second);
  return out;
}

result<std::optional<sample>, errc> memory_point_source::last_before(uint64_t series_id,
                                                                     int64_t before_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = points_.lower_bound(key{series_id, before_ms, 0});
  if (i == points_.begin())
    return std::optional<sample>{};
  --i;
  if (std::get<0>(i->first) != series_id)
    return std::optional<sample>{};
  return std::optional<sample>{i->second};
}

result<std::optional<sample>, errc> memory_point_source::first_from(uint64_t series_id,
                                                                    int64_t from_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = points_.lower_bound(key{series_id, from_ms, 0});
  if (i == points_.end() || std::get<0>(i->first) != series_id)
    return std::optional<sample>{};
  return std::optional<sample>{i->second};
}

} // namespace floe::windows
