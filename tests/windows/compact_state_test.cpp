// The compact per-series state (compact_storage.hpp, the shared storage of window_aggregate,
// the flat open windows of series_windows): copies are deep and independent, moves leave a
// usable object, and a drained series (its buffers released) keeps working.
#define CAF_SUITE windows_compact_state
#include <caf/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "actors/windows/compact_storage.hpp"
#include "actors/windows/series_windows.hpp"
#include "actors/windows/window_aggregate.hpp"
#include "window_test_points.hpp"

using namespace floe::windows;
using namespace floe::windows::testing;

namespace {

window_result finish_of(const window_aggregate& acc) {
  return acc.finish(7, 10'000, 0, nullptr, 10'000);
}

} // namespace

CAF_TEST(stored_point_keeps_the_value_of_its_kind) {
  auto n = historical(num(7, 1'000, 2.5, 3));
  CAF_CHECK_EQUAL(stored_point{n}.to_sample(7), n);
  CAF_CHECK(stored_point{n}.key() == key_of(n));
  auto b = flag(7, 2'000, true, 1);
  CAF_CHECK_EQUAL(stored_point{b}.to_sample(7), b);
  auto t = text(7, 3'000, "a text longer than the small string buffer of std::string", 4);
  CAF_CHECK_EQUAL(stored_point{t}.to_sample(7), t);
  auto e = text(7, 4'000, "");
  CAF_CHECK_EQUAL(stored_point{e}.to_sample(7), e);
}

CAF_TEST(stored_point_copies_are_deep_and_moves_leave_a_valid_point) {
  auto t = text(7, 3'000, "a text longer than the small string buffer of std::string");
  stored_point a{t};
  stored_point b{a};
  CAF_CHECK_EQUAL(b.to_sample(7), t);
  stored_point c{num(7, 1, 1)};
  c = a;             // numeric slot replaced by a string one
  a = stored_point{}; // the original goes; the copies keep their text
  CAF_CHECK_EQUAL(b.to_sample(7), t);
  CAF_CHECK_EQUAL(c.to_sample(7), t);
  stored_point d{std::move(c)};
  CAF_CHECK_EQUAL(d.to_sample(7), t);
  c = d; // the moved-from point is assignable again
  CAF_CHECK_EQUAL(c.to_sample(7), t);
  d = std::move(d); // self-move keeps the value
  CAF_CHECK_EQUAL(d.to_sample(7), t);
  std::vector<stored_point> v;
  for (int i = 0; i < 50; ++i)
    v.emplace_back(text(7, i, std::string(40, static_cast<char>('a' + i % 26))));
  for (int i = 0; i < 50; ++i)
    CAF_CHECK_EQUAL(v[static_cast<size_t>(i)].to_sample(7).text,
                    std::string(40, static_cast<char>('a' + i % 26)));
}

CAF_TEST(string_accumulator_copies_are_independent) {
  window_aggregate a{value_kind::string};
  CAF_REQUIRE(a.add(text(7, 1'000, "first value, long enough to live on the heap")));
  CAF_REQUIRE(a.add(text(7, 2'000, "second value, long enough to live on the heap")));
  auto before = finish_of(a);
  window_aggregate copy{a};
  window_aggregate assigned{value_kind::string};
  assigned = a;
  CAF_REQUIRE(a.add(text(7, 3'000, "third")));
  CAF_CHECK_EQUAL(finish_of(copy), before);
  CAF_CHECK_EQUAL(finish_of(assigned), before);
  CAF_CHECK_EQUAL(finish_of(a).last_text, "third");
  CAF_CHECK_EQUAL(finish_of(a).changes, 2u);
  window_aggregate moved{std::move(copy)};
  CAF_CHECK_EQUAL(finish_of(moved), before);
  copy = moved; // the moved-from accumulator is assignable again
  CAF_CHECK_EQUAL(finish_of(copy), before);
  // merge into an empty accumulator copies, merge of an empty one changes nothing
  window_aggregate empty{value_kind::string};
  CAF_REQUIRE(empty.merge(moved));
  CAF_CHECK_EQUAL(finish_of(empty), before);
  CAF_REQUIRE(empty.merge(window_aggregate{value_kind::string}));
  CAF_CHECK_EQUAL(finish_of(empty), before);
  // a carry-in equal to the first text is no change, another one is
  auto same = text(7, -1, "first value, long enough to live on the heap");
  auto other = text(7, -1, "something else");
  CAF_CHECK_EQUAL(before.changes, 1u);
  CAF_CHECK_EQUAL(moved.finish(7, 10'000, 0, &same, 10'000).changes, 1u);
  CAF_CHECK_EQUAL(moved.finish(7, 10'000, 0, &other, 10'000).changes, 2u);
}

CAF_TEST(numeric_and_boolean_accumulators_copy_by_value) {
  window_aggregate n{value_kind::numeric};
  CAF_REQUIRE(n.add(num(7, 1'000, 1e12 + 0.25)));
  CAF_REQUIRE(n.add(num(7, 2'000, 1e12 - 0.75)));
  window_aggregate nc = n;
  CAF_REQUIRE(n.add(num(7, 3'000, 5)));
  CAF_CHECK_EQUAL(finish_of(nc).count, 2u);
  CAF_CHECK_EQUAL(finish_of(nc).min, 1e12 - 0.75);
  CAF_CHECK_EQUAL(finish_of(n).min, 5.0);
  window_aggregate b{value_kind::boolean};
  CAF_REQUIRE(b.add(flag(7, 1'000, true)));
  CAF_REQUIRE(b.add(flag(7, 4'000, false)));
  window_aggregate bc{value_kind::numeric};
  bc = b; // takes over the kind too
  CAF_CHECK(bc.kind() == value_kind::boolean);
  CAF_CHECK_EQUAL(finish_of(bc), finish_of(b));
  CAF_CHECK_EQUAL(finish_of(bc).time_true_ms, 3'000);
}

CAF_TEST(copied_string_series_evolve_independently_and_alike) {
  series_feed f{7, value_kind::string};
  for (int i = 0; i < 14; ++i)
    f.add(text(7, i * 1'000, i % 3 == 0 ? "on, with a long enough label" : "off"));
  CAF_REQUIRE_EQUAL(f.closed.size(), 0u); // watermark at 8 s
  series_windows copy = f.windows;
  auto views = f.windows.open_windows();
  CAF_CHECK_EQUAL(copy.open_windows(), views);
  CAF_CHECK_EQUAL(copy.buffered_points(), f.windows.buffered_points());
  // Both get the same further points: same windows; the original's past is not shared.
  std::vector<window_result> copy_closed;
  for (int i = 14; i < 80; ++i) {
    auto p = text(7, i * 1'000, i % 4 == 0 ? "on, with a long enough label" : "off");
    f.add(p);
    copy.add(p, f.arrival_ms, f.raw, copy_closed);
  }
  CAF_CHECK_EQUAL(copy_closed, f.closed);
  CAF_CHECK_EQUAL(copy.open_windows(), f.windows.open_windows());
  CAF_CHECK(!f.closed.empty());
  // A late point reopens a closed window the same way in both.
  auto late = text(7, 12'500, "late");
  f.raw.put(late);
  auto before = f.closed.size();
  f.windows.add(late, f.arrival_ms, f.raw, f.closed);
  copy.add(late, f.arrival_ms, f.raw, copy_closed);
  CAF_CHECK(f.closed.size() > before);
  CAF_CHECK_EQUAL(copy_closed, f.closed);
}

CAF_TEST(a_drained_series_keeps_working) {
  series_feed f{7, value_kind::numeric};
  for (int i = 0; i < 30; ++i)
    f.add(num(7, i * 1'000, i));
  CAF_CHECK(f.windows.buffered_points() > 0u);
  f.windows.close_all(f.closed);
  CAF_CHECK_EQUAL(f.windows.buffered_points(), 0u);
  CAF_CHECK_EQUAL(f.windows.open_window_count(), 0u);
  CAF_CHECK(f.windows.open_windows().empty());
  f.closed.clear();
  // close_all moved the watermark to 1 min: a point after it is on time and fills new windows
  f.add(num(7, 61'000, 42));
  f.add(num(7, 75'000, 43)); // watermark 70 s closes [60 s, 70 s)
  auto* w = find_window(f.closed, 10'000, 60'000);
  CAF_REQUIRE(w != nullptr);
  CAF_CHECK_EQUAL(w->count, 1u);
  CAF_CHECK_EQUAL(w->sum, 42.0);
  CAF_CHECK_EQUAL(f.windows.open_windows().size(), 2u); // [70 s, 80 s) and [1 min, 2 min)
}

CAF_TEST(a_burst_of_buffered_points_is_folded_in_order) {
  // Many on-time points arriving in reverse order grow the buffer far beyond its usual size.
  series_feed in_order{7, value_kind::numeric, *make_window_config({10'000}, 600'000, 0)};
  series_feed reversed{7, value_kind::numeric, *make_window_config({10'000}, 600'000, 0)};
  for (int i = 0; i < 500; ++i)
    in_order.add(num(7, i * 100, i * 0.1));
  for (int i = 499; i >= 0; --i)
    reversed.add(historical(num(7, i * 100, i * 0.1)));
  reversed.add(num(7, 49'900, 499 * 0.1)); // live again: raises the watermark as in_order's did
  CAF_CHECK_EQUAL(reversed.windows.buffered_points(), 500u);
  in_order.windows.close_all(in_order.closed);
  reversed.windows.close_all(reversed.closed);
  CAF_CHECK_EQUAL(reversed.closed, in_order.closed);
  CAF_CHECK_EQUAL(in_order.closed.size(), 5u);
}
