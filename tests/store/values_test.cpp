#define CAF_SUITE store_values
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "store/storage.hpp"
#include "store/values.hpp"

using namespace floe::store;

namespace {

std::vector<stored_value> sample_values() {
  return {std::monostate{},
          0.0,
          -0.0,
          231.57,
          static_cast<double>(-8.25f), // exactly a float
          std::numeric_limits<double>::infinity(),
          std::numeric_limits<double>::quiet_NaN(),
          std::numeric_limits<double>::denorm_min(),
          int64_t{0},
          int64_t{-1250},
          std::numeric_limits<int64_t>::min(),
          std::numeric_limits<int64_t>::max(),
          uint64_t{0},
          uint64_t{3'000'000'000},
          std::numeric_limits<uint64_t>::max(),
          true,
          false,
          std::string(),
          std::string("Compressor 3 running"),
          std::string("nul\0inside", 10),
          byte_string{},
          byte_string{0x00, 0xFF, 0x10, 0xC0}};
}

stored_point point_with(stored_value v, point_flags flags = {}) {
  stored_point p;
  p.series = 12;
  p.timestamp_ms = -5;
  p.seq = 2;
  p.value = std::move(v);
  p.flags = flags;
  return p;
}

window_record numeric_window() {
  window_record w;
  w.series = 3;
  w.width_ms = 60'000;
  w.start_ms = 1'700'000'040'000;
  w.kind = window_kind::numeric;
  w.count = 4;
  w.first_ts_ms = 1'700'000'040'100;
  w.last_ts_ms = 1'700'000'099'900;
  w.min = 1;
  w.max = 7;
  w.sum = 16;      // 1, 3, 5, 7
  w.sum_sq_dev = 20; // (9 + 1 + 1 + 9)
  w.first = 1;
  w.last = 7;
  return w;
}

// Deterministic byte noise (no std::random: the same bytes on every run and platform).
std::string noise(uint32_t& state, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    out.push_back(static_cast<char>(state >> 24));
  }
  return out;
}

} // namespace

CAF_TEST(every_value_type_round_trips_bit_exactly) {
  for (const auto& v : sample_values()) {
    for (bool historical : {false, true}) {
      for (int32_t quality : {quality_good, quality_bad, quality_stale, int32_t{-7},
                              std::numeric_limits<int32_t>::min()}) {
        point_flags flags{historical, quality};
        auto bytes = encode_point_value(v, flags);
        auto back = decode_point_value(bytes);
        CAF_REQUIRE(back.has_value());
        CAF_CHECK(same_value(back->value, v));
        CAF_CHECK_EQUAL(back->flags.historical, historical);
        CAF_CHECK_EQUAL(back->flags.quality, quality);
      }
    }
  }
}

CAF_TEST(points_round_trip_through_key_and_value) {
  for (const auto& v : sample_values()) {
    auto p = point_with(v, point_flags{true, quality_stale});
    write_batch batch;
    put_point(batch, p);
    CAF_REQUIRE_EQUAL(batch.size(), 1u);
    const auto& op = batch.operations().front();
    CAF_CHECK(op.fam == family::points);
    auto back = decode_point(op.key, op.value);
    CAF_REQUIRE(back.has_value());
    CAF_CHECK(same_point(*back, p));
  }
}

CAF_TEST(common_samples_are_compact) {
  // Good-quality live samples: one tag byte plus the payload.
  CAF_CHECK_EQUAL(encode_point_value(231.57, {}).size(), 9u);
  CAF_CHECK_EQUAL(encode_point_value(static_cast<double>(-8.25f), {}).size(), 5u);
  CAF_CHECK_EQUAL(encode_point_value(int64_t{-12}, {}).size(), 2u);
  CAF_CHECK_EQUAL(encode_point_value(true, {}).size(), 1u);
  CAF_CHECK_EQUAL(encode_point_value(std::monostate{}, {}).size(), 1u);
  // A non-good quality costs its varint.
  CAF_CHECK_EQUAL(encode_point_value(true, point_flags{false, quality_bad}).size(), 2u);
}

CAF_TEST(float_shortcut_never_changes_a_double) {
  // 0.1 is not a float: it must keep all 8 bytes and come back identical.
  auto bytes = encode_point_value(0.1, {});
  CAF_CHECK_EQUAL(bytes.size(), 9u);
  auto back = decode_point_value(bytes);
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(same_value(back->value, 0.1));
}

CAF_TEST(truncated_point_values_are_corruption) {
  for (const auto& v : sample_values()) {
    auto bytes = encode_point_value(v, point_flags{true, quality_bad});
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto r = decode_point_value(std::string_view(bytes).substr(0, n));
      CAF_REQUIRE(!r.has_value());
      CAF_CHECK(r.error().code == errc::corruption);
      CAF_CHECK(!r.error().detail.empty());
    }
  }
}

CAF_TEST(malformed_point_values_are_rejected_with_a_reason) {
  auto check_rejected = [](std::string bytes, const char* reason) {
    auto r = decode_point_value(bytes);
    CAF_REQUIRE(!r.has_value());
    CAF_CHECK(r.error().code == errc::corruption);
    CAF_CHECK_NOT_EQUAL(r.error().detail.find(reason), std::string::npos);
  };
  check_rejected(std::string(1, '\x09'), "unknown value type tag 9");
  check_rejected(std::string(1, '\x0F'), "unknown value type tag 15");
  check_rejected(std::string(1, '\x40'), "reserved flag bits");
  check_rejected(std::string(1, '\x80'), "reserved flag bits");
  check_rejected(std::string("\x06\x00", 2), "trailing bytes");
  // A string claiming 100 bytes with 3 present.
  check_rejected(std::string("\x07\x64" "abc", 5), "exceeds");
  // An 11-byte varint.
  check_rejected(std::string("\x04") + std::string(10, '\xFF') + "\x01", "varint");
  // A quality outside int32.
  check_rejected(std::string("\x25\xFE\xFF\xFF\xFF\x1F", 6), "outside int32");
}

CAF_TEST(random_bytes_never_crash_the_decoders) {
  uint32_t state = 2024;
  size_t accepted = 0;
  for (int i = 0; i < 20'000; ++i) {
    auto bytes = noise(state, static_cast<size_t>(i % 48));
    auto p = decode_point_value(bytes);
    if (p) {
      ++accepted;
      // Whatever decodes must encode back to a value that decodes the same.
      auto again = decode_point_value(encode_point_value(p->value, p->flags));
      CAF_REQUIRE(again.has_value());
      CAF_CHECK(same_value(again->value, p->value));
    } else {
      CAF_CHECK(p.error().code == errc::corruption);
    }
    auto w = decode_window_value(bytes);
    if (!w)
      CAF_CHECK(w.error().code == errc::corruption);
  }
  // Short random strings are often valid (1-byte nulls and booleans): the decoder is not
  // simply rejecting everything.
  CAF_CHECK(accepted > 0);
}

CAF_TEST(windows_round_trip_with_their_statistics) {
  auto w = numeric_window();
  write_batch batch;
  CAF_REQUIRE(put_window(batch, w).has_value());
  const auto& op = batch.operations().front();
  CAF_CHECK(op.fam == family::windows);
  auto back = decode_window(op.key, op.value);
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(same_window(*back, w));
  CAF_CHECK_EQUAL(back->mean(), 4.0);
  CAF_CHECK_EQUAL(back->variance(), 5.0);
  CAF_CHECK(std::fabs(back->stddev() - std::sqrt(5.0)) < 1e-12);
}

CAF_TEST(boolean_and_text_windows_keep_last_changes_and_time_true) {
  window_record b;
  b.series = 8;
  b.width_ms = 10'000;
  b.start_ms = -10'000;
  b.kind = window_kind::boolean;
  b.count = 5;
  b.first_ts_ms = -9'000;
  b.last_ts_ms = -1'000;
  b.last_value = true;
  b.changes = 3;
  b.time_true_ms = 6'500;
  window_record t = b;
  t.kind = window_kind::text;
  t.last_value = std::string("DEFROST");
  t.time_true_ms = 0;
  for (const auto& w : {b, t}) {
    auto back = decode_window(window_key(w.series, w.width_ms, w.start_ms),
                              encode_window_value(w));
    CAF_REQUIRE(back.has_value());
    CAF_CHECK(same_window(*back, w));
  }
}

CAF_TEST(empty_window_has_zero_mean_and_stddev) {
  window_record w;
  CAF_CHECK_EQUAL(w.mean(), 0.0);
  CAF_CHECK_EQUAL(w.stddev(), 0.0);
}

CAF_TEST(window_of_width_zero_is_refused) {
  auto w = numeric_window();
  w.width_ms = 0;
  write_batch batch;
  auto r = put_window(batch, w);
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().code == errc::invalid_argument);
  CAF_CHECK(batch.empty());
}

CAF_TEST(corrupt_window_bytes_are_corruption) {
  auto bytes = encode_window_value(numeric_window());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_window_value(std::string_view(bytes).substr(0, n));
    CAF_REQUIRE(!r.has_value());
    CAF_CHECK(r.error().code == errc::corruption);
  }
  auto wrong_version = bytes;
  wrong_version[0] = 2;
  CAF_CHECK(!decode_window_value(wrong_version).has_value());
  auto wrong_kind = bytes;
  wrong_kind[1] = 3;
  CAF_CHECK(!decode_window_value(wrong_kind).has_value());
  CAF_CHECK(!decode_window_value(bytes + "x").has_value());
  // A valid value under a key of the wrong size.
  CAF_CHECK(!decode_window("short", bytes).has_value());
}
