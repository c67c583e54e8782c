#define CAF_SUITE store_keys
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <vector>

#include "store/keys.hpp"

using namespace floe::store;

namespace {

constexpr int64_t min_ms = std::numeric_limits<int64_t>::min();
constexpr int64_t max_ms = std::numeric_limits<int64_t>::max();

} // namespace

CAF_TEST(point_key_order_is_time_order_including_negative_timestamps) {
  // Ascending timestamps, from the most negative to the largest; byte order must agree.
  std::vector<int64_t> times = {min_ms, min_ms + 1, -86'400'000, -1'000, -2, -1, 0, 1, 999,
                                1'700'000'000'000, max_ms - 1, max_ms};
  std::vector<std::string> keys;
  for (auto t : times)
    keys.push_back(point_key(7, t, 0));
  CAF_CHECK(std::is_sorted(keys.begin(), keys.end()));
  for (size_t i = 1; i < keys.size(); ++i)
    CAF_CHECK(keys[i - 1] < keys[i]);
}

CAF_TEST(sequence_orders_samples_within_one_millisecond) {
  CAF_CHECK(point_key(3, 1000, 0) < point_key(3, 1000, 1));
  CAF_CHECK(point_key(3, 1000, 1) < point_key(3, 1000, 255));
  CAF_CHECK(point_key(3, 1000, 255) < point_key(3, 1000, 256));
  CAF_CHECK(point_key(3, 1000, 65535) < point_key(3, 1001, 0));
}

CAF_TEST(series_sorts_before_time) {
  // Every key of series 1 sorts before every key of series 2, whatever the times.
  CAF_CHECK(point_key(1, max_ms, 65535) < point_key(2, min_ms, 0));
  CAF_CHECK(point_key(255, 0, 0) < point_key(256, min_ms, 0));
  CAF_CHECK(window_key(1, ~uint64_t{0}, max_ms) < window_key(2, 1, min_ms));
}

CAF_TEST(point_keys_round_trip) {
  for (auto t : {min_ms, int64_t{-1}, int64_t{0}, int64_t{1'700'000'000'123}, max_ms}) {
    for (uint16_t seq : {uint16_t{0}, uint16_t{1}, uint16_t{65535}}) {
      for (series_id s : {first_series_id, series_id{0x01020304}, max_series_id}) {
        auto key = point_key(s, t, seq);
        CAF_CHECK_EQUAL(key.size(), point_key_size);
        auto parts = decode_point_key(key);
        CAF_REQUIRE(parts.has_value());
        CAF_CHECK_EQUAL(parts->series, s);
        CAF_CHECK_EQUAL(parts->timestamp_ms, t);
        CAF_CHECK_EQUAL(parts->seq, seq);
      }
    }
  }
}

CAF_TEST(point_key_layout_is_big_endian_with_flipped_sign) {
  auto key = point_key(0x01020304, 0, 0x0506);
  const std::string expected("\x01\x02\x03\x04\x80\x00\x00\x00\x00\x00\x00\x00\x05\x06", 14);
  CAF_CHECK(key == expected);
  auto negative = point_key(1, -1, 0);
  CAF_CHECK(negative.substr(4, 8) == std::string("\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8));
}

CAF_TEST(same_point_always_gets_the_same_key) {
  CAF_CHECK(point_key(42, 1'700'000'000'000, 3) == point_key(42, 1'700'000'000'000, 3));
  CAF_CHECK(point_key(42, 1'700'000'000'000, 3) != point_key(42, 1'700'000'000'000, 4));
  CAF_CHECK(window_key(42, 60'000, 0) == window_key(42, 60'000, 0));
}

CAF_TEST(window_keys_group_by_width_then_start) {
  CAF_CHECK(window_key(5, 10'000, max_ms) < window_key(5, 60'000, min_ms));
  CAF_CHECK(window_key(5, 60'000, -60'000) < window_key(5, 60'000, 0));
  CAF_CHECK(window_key(5, 60'000, 0) < window_key(5, 60'000, 60'000));
  auto parts = decode_window_key(window_key(9, 3'600'000, -7'200'000));
  CAF_REQUIRE(parts.has_value());
  CAF_CHECK_EQUAL(parts->series, 9u);
  CAF_CHECK_EQUAL(parts->width_ms, 3'600'000u);
  CAF_CHECK_EQUAL(parts->start_ms, -7'200'000);
}

CAF_TEST(keys_of_the_wrong_size_are_corruption_not_a_crash) {
  for (size_t n : {0, 1, 4, 13, 15, 19, 21, 100}) {
    std::string junk(n, '\xAB');
    auto p = decode_point_key(junk);
    if (n == point_key_size) {
      CAF_CHECK(p.has_value());
    } else {
      CAF_REQUIRE(!p.has_value());
      CAF_CHECK(p.error().code == errc::corruption);
    }
    auto w = decode_window_key(junk);
    CAF_CHECK_EQUAL(w.has_value(), n == window_key_size);
    if (!w)
      CAF_CHECK(w.error().code == errc::corruption);
  }
  CAF_CHECK(!series_of_key("abc").has_value());
  auto s = series_of_key(point_key(77, 0, 0));
  CAF_REQUIRE(s.has_value());
  CAF_CHECK(s.value() == 77u);
}

CAF_TEST(range_bounds_cover_exactly_the_requested_times) {
  auto begin = point_range_begin(4, -1000);
  auto end = point_range_end(4, 2000);
  auto inside = [&](const std::string& k) { return begin <= k && k < end; };
  CAF_CHECK(inside(point_key(4, -1000, 0)));
  CAF_CHECK(inside(point_key(4, 1999, 65535)));
  CAF_CHECK(!inside(point_key(4, -1001, 65535)));
  CAF_CHECK(!inside(point_key(4, 2000, 0)));
  CAF_CHECK(!inside(point_key(3, 0, 0)));
  CAF_CHECK(!inside(point_key(5, 0, 0)));
}

CAF_TEST(series_bounds_enclose_every_key_of_the_series) {
  for (series_id s : {first_series_id, series_id{0xFF}, max_series_id, series_id{0xFFFF'FFFF}}) {
    auto lo = series_prefix(s);
    auto hi = series_end(s);
    for (auto k : {point_key(s, min_ms, 0), point_key(s, max_ms, 65535),
                   window_key(s, 0, min_ms), window_key(s, ~uint64_t{0}, max_ms)}) {
      CAF_CHECK(lo <= k);
      CAF_CHECK(k < hi);
    }
  }
  CAF_CHECK(series_end(1) <= point_key(2, min_ms, 0));
}

CAF_TEST(key_after_is_the_next_possible_key) {
  auto k = point_key(1, 5, 5);
  auto next = key_after(k);
  CAF_CHECK(k < next);
  CAF_CHECK(next < point_key(1, 5, 6));
}
