#include "store/retention.hpp"

#include <limits>

#include "store/keys.hpp"

namespace floe::store {

namespace {

constexpr int64_t min_ms = std::numeric_limits<int64_t>::min();
constexpr int64_t max_ms = std::numeric_limits<int64_t>::max();

// Prefix of every window key of (series, width).
std::string width_prefix(series_id s, uint64_t width) {
  std::string out = series_prefix(s);
  append_be64(out, width);
  return out;
}

// First key after every window key of (series, width).
std::string width_end(series_id s, uint64_t width) {
  if (width == std::numeric_limits<uint64_t>::max())
    return series_end(s);
  return width_prefix(s, width + 1);
}

// Exclusive upper bound of the windows of (s, width) that end at or before cutoff:
// start + width <= cutoff  <=>  start < cutoff - width + 1.
std::optional<std::string> window_cut(series_id s, uint64_t width, int64_t cutoff) {
  __int128 bound = static_cast<__int128>(cutoff) - static_cast<__int128>(width) + 1;
  if (bound <= min_ms)
    return std::nullopt; // no start is small enough
  if (bound > max_ms)
    return width_end(s, width); // width 0 at cutoff INT64_MAX: everything
  return window_key(s, width, static_cast<int64_t>(bound));
}

} // namespace

result<std::vector<key_range>> retention_ranges(family f, int64_t cutoff_ms,
                                                const key_seeker& first_at_or_after) {
  if (f != family::points && f != family::windows)
    return fail(errc::invalid_argument, std::string("retention applies to points and windows, not ")
                                          + to_string(f));
  std::vector<key_range> ranges;
  std::string probe; // empty: the start of the family
  for (;;) {
    auto found = first_at_or_after(probe);
    if (!found)
      return floe::unexpected<error>{found.error()};
    if (!*found)
      break;
    const std::string& key = **found;
    if (key.size() < series_prefix_size) {
      probe = key_after(key);
      continue;
    }
    series_id s = read_be32(key.data());
    if (f == family::points) {
      std::string end = point_range_end(s, cutoff_ms);
      if (key < end) // something of this series is older than the cutoff
        ranges.push_back({point_range_begin(s, min_ms), std::move(end)});
      probe = series_end(s);
    } else {
      if (key.size() < series_prefix_size + 8) {
        probe = key_after(key);
        continue;
      }
      uint64_t width = read_be64(key.data() + series_prefix_size);
      if (auto end = window_cut(s, width, cutoff_ms); end && key < *end)
        ranges.push_back({width_prefix(s, width), std::move(*end)});
      probe = width_end(s, width);
    }
    if (s == std::numeric_limits<series_id>::max() && probe == series_end(s))
      break; // nothing sorts after the reserved series' end
  }
  return ranges;
}

} // namespace floe::store
