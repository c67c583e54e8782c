#include "actors/storage/store_point_source.hpp"

#include <limits>
#include <type_traits>

#include "store/keys.hpp"

namespace floe::storage_actors {

std::optional<windows::sample> sample_of(const store::stored_point& p) {
  windows::sample s;
  s.series_id = p.series;
  s.timestamp_ms = p.timestamp_ms;
  s.seq = p.seq;
  s.historical = p.flags.historical;
  bool ok = std::visit(
    [&](const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int64_t>
                    || std::is_same_v<T, uint64_t>) {
        s.kind = windows::value_kind::numeric;
        s.number = static_cast<double>(v);
        return true;
      } else if constexpr (std::is_same_v<T, bool>) {
        s.kind = windows::value_kind::boolean;
        s.flag = v;
        return true;
      } else if constexpr (std::is_same_v<T, std::string>) {
        s.kind = windows::value_kind::string;
        s.text = v;
        return true;
      } else {
        return false;
      }
    },
    p.value);
  if (!ok)
    return std::nullopt;
  return s;
}

namespace {

bool valid_series(uint64_t id) {
  return id >= store::first_series_id && id <= store::max_series_id;
}

} // namespace

result<std::vector<windows::sample>, windows::errc>
store_point_source::points(uint64_t series_id, int64_t from_ms, int64_t to_ms) {
  std::vector<windows::sample> out;
  if (!valid_series(series_id) || from_ms >= to_ms)
    return out;
  auto sid = static_cast<store::series_id>(series_id);
  store::scan_range r{store::family::points, store::point_range_begin(sid, from_ms),
                      store::point_range_end(sid, to_ms)};
  auto n = db_->scan(r, [&](std::string_view k, std::string_view v) {
    auto p = store::decode_point(k, v);
    if (!p)
      return true; // a corrupt entry costs itself only
    if (auto s = sample_of(*p))
      out.push_back(std::move(*s));
    return true;
  });
  if (!n)
    return make_unexpected(windows::errc::raw_source_failed);
  return out;
}

result<std::optional<windows::sample>, windows::errc>
store_point_source::one(const store::scan_range& range) {
  std::optional<windows::sample> found;
  auto n = db_->scan(range, [&](std::string_view k, std::string_view v) {
    auto p = store::decode_point(k, v);
    if (!p)
      return true;
    found = sample_of(*p);
    return !found; // keep looking past null/bytes points
  });
  if (!n)
    return make_unexpected(windows::errc::raw_source_failed);
  return found;
}

result<std::optional<windows::sample>, windows::errc>
store_point_source::last_before(uint64_t series_id, int64_t before_ms) {
  if (!valid_series(series_id))
    return std::optional<windows::sample>{};
  auto sid = static_cast<store::series_id>(series_id);
  store::scan_range r{store::family::points, store::series_prefix(sid),
                      store::point_range_begin(sid, before_ms)};
  r.order = store::scan_order::descending;
  return one(r);
}

result<std::optional<windows::sample>, windows::errc>
store_point_source::first_from(uint64_t series_id, int64_t from_ms) {
  if (!valid_series(series_id))
    return std::optional<windows::sample>{};
  auto sid = static_cast<store::series_id>(series_id);
  store::scan_range r{store::family::points, store::point_range_begin(sid, from_ms),
                      store::series_end(sid)};
  return one(r);
}

} // namespace floe::storage_actors
